import Foundation
import Mongo

/// The `orders` collection.
public struct OrderBook: Sendable {
    let orders: MongoCollection<Order>

    /// The collections in `database` (nothing is sent until used).
    public init(database: MongoDatabase) {
        orders = database.collection("orders", as: Order.self).withWriteConcern(.majority)
    }

    /// The order with this id, or nil.
    public func order(_ id: OrderID) async throws -> Order? {
        try await orders.findOne(["_id": .string(id.rawValue)])
    }

    /// The customer's order placed with this idempotency key, or nil.
    func order(customerId: String, idempotencyKey: String) async throws -> Order? {
        try await orders.findOne(["customerId": .string(customerId), "idempotencyKey": .string(idempotencyKey)])
    }

    /// Stores a new order; throws a duplicate-key `MongoError` when the customer already used its idempotency key.
    func insert(_ order: Order) async throws {
        try await orders.insertOne(order)
    }

    /// Reads the order and, in the same write, clears its `sagaStartPending` mark (its saga is running).
    func claimForSaga(_ id: OrderID) async throws -> Order? {
        try await orders.findOneAndUpdate(
            filter: ["_id": .string(id.rawValue)], update: ["$unset": ["sagaStartPending": ""]],
            options: FindOneAndUpdateOptions(returnDocument: .after))
    }

    /// Clears the order's `sagaStartPending` mark (its saga is durably started).
    func clearSagaStartPending(_ id: OrderID) async throws {
        try await orders.updateOne(filter: ["_id": .string(id.rawValue)], update: ["$unset": ["sagaStartPending": ""]])
    }

    /// Orders still marked as waiting for their saga that were placed before `cutoff` (crash leftovers), oldest first.
    func ordersAwaitingSaga(placedBefore cutoff: Date, limit: Int) async throws -> [Order] {
        try await orders.find(
            ["sagaStartPending": true, "placedAt": ["$lt": .datetime(cutoff)]],
            options: FindOptions(sort: ["placedAt": 1], limit: limit)
        ).toArray()
    }
}

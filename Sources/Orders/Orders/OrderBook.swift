import Foundation
import Mongo

/// The `orders` collection.
public struct OrderBook: Sendable {
    let orders: MongoCollection<Order>
    let writes: WriteBatcher<Order>
    let cache = OrderCache()

    /// The collections in `database` (nothing is sent until used).
    public init(database: MongoDatabase) {
        orders = database.durableCollection("orders", as: Order.self)
        writes = database.durableWrites("orders", as: Order.self)
    }

    /// The order with this id, or nil (from this process's cache when it has it: orders never change).
    public func order(_ id: OrderID) async throws -> Order? {
        if let cached = cache.order(id) { return cached }
        let order = try await orders.findOne(["_id": .string(id.rawValue)])
        if let order { cache.remember(order) }
        return order
    }

    /// Notes that the order's saga is durably started: this process's copy no longer says it may be missing.
    func noteSagaStarted(_ id: OrderID) { cache.noteSagaStarted(id) }

    /// Lets go of the cached copy of an order whose saga has ended.
    func forget(_ id: OrderID) { cache.forget(id) }

    /// The orders with these ids that exist, by id: the cached ones, and the others in one `_id: {$in}` read.
    public func orders(_ ids: [OrderID]) async throws -> [OrderID: Order] {
        var found: [OrderID: Order] = [:]
        var missing: [BSONValue] = []
        for id in ids {
            if let cached = cache.order(id) { found[id] = cached } else { missing.append(.string(id.rawValue)) }
        }
        guard !missing.isEmpty else { return found }
        for try await order in try await orders.find(["_id": ["$in": .array(missing)]]) {
            cache.remember(order)
            found[order.id] = order
        }
        return found
    }

    /// A customer's orders, newest first, after the order `before` when given: one range of the `customer_id` index
    /// (order ids sort by placement time).
    public func orders(customerId: String, before: OrderID?, limit: Int) async throws -> [Order] {
        var filter: Document = ["customerId": .string(customerId)]
        if let before { filter["_id"] = ["$lt": .string(before.rawValue)] }
        return try await orders.find(
            filter, options: FindOptions(sort: ["_id": -1], limit: limit, hint: ["customerId": 1, "_id": -1])
        ).toArray()
    }

    /// The customer's order placed with this idempotency key, or nil (one `idempotencyScope` index look-up; orders
    /// stored before that field existed are found by their customer and key).
    func order(customerId: String, idempotencyKey: String) async throws -> Order? {
        let scope = Self.idempotencyScope(customerId: customerId, key: idempotencyKey)
        if let order = try await orders.findOne(["idempotencyScope": .string(scope)]) { return order }
        return try await orders.findOne(
            ["customerId": .string(customerId), "idempotencyKey": .string(idempotencyKey), "idempotencyScope": .null])
    }

    /// One string for a customer and one of its idempotency keys, unambiguous whatever characters either holds.
    static func idempotencyScope(customerId: String, key: String) -> String {
        "\(customerId.utf8.count):\(customerId)/\(key)"
    }

    /// Stores a new order; throws a duplicate-key `MongoError` when the customer already used its idempotency key.
    func insert(_ order: Order) async throws {
        if case .refused(let error) = try await writes.submit(.insertOne(order)) {
            throw MongoError(refusal: error)
        }
        cache.remember(order)
    }

    /// The insert of ``insert(_:)``, to be made with the saga's start (refused as a duplicate key as that one is);
    /// ``remember(_:)`` the order once it is made.
    func insertWrite(_ order: Order) throws -> NamespacedWrite {
        NamespacedWrite(.insertOne(try BSONEncoder().encode(order)), in: orders)
    }

    /// Keeps the stored `order` in this process's cache.
    func remember(_ order: Order) { cache.remember(order) }

    /// Clears the `sagaStartPending` mark of the orders with these `_id`s (their sagas are durably started, or an id
    /// is not one this service issues and can have no saga), in one write.
    func clearSagaStartPending(_ ids: [String]) async throws {
        guard !ids.isEmpty else { return }
        try await orders.updateMany(
            filter: ["_id": ["$in": .array(ids.map(BSONValue.string))]], update: ["$unset": ["sagaStartPending": ""]])
        for id in ids.compactMap({ OrderID($0) }) { cache.noteSagaStarted(id) }
    }

    /// The `_id`s of the orders still marked as waiting for their saga that were placed before `cutoff` (crash
    /// leftovers), oldest first: ids alone, so that a pass over many marks gets a small reply.
    func idsAwaitingSaga(placedBefore cutoff: Date, limit: Int) async throws -> [String] {
        try await orders.find(
            ["sagaStartPending": true, "placedAt": ["$lt": .datetime(cutoff)]],
            options: FindOptions(sort: ["placedAt": 1], limit: limit, projection: ["_id": 1]), as: Document.self
        ).toArray().compactMap { $0["_id"]?.stringValue }
    }
}

import Foundation
import Mongo

/// The product catalog and its stock levels, in the `products` collection.
public struct Catalog: Sendable {
    let products: MongoCollection<Product>
    /// Placements' price look-ups, merged across concurrent placements.
    let lookups: LookupBatcher<Product>

    /// The collections in `database` (nothing is sent until used).
    public init(database: MongoDatabase) {
        products = database.durableCollection("products", as: Product.self)
        lookups = LookupBatcher(products) { .string($0.sku) }
    }

    /// Creates or replaces a catalog item; `stock` sets the units available, reservations in flight are kept.
    /// Within `session`'s transaction when given (the transaction then carries the write concern).
    @discardableResult
    public func put(
        sku: String, name: String, price: Money, stock: Int64, now: Date = Date(), session: MongoSession? = nil
    ) async throws -> Product {
        let update: Document = [
            "$set": [
                "name": .string(name),
                "price": try BSONEncoder().encodeValue(price),
                "stock": .int64(stock),
                "updatedAt": .datetime(now),
            ],
            "$setOnInsert": ["reserved": .int64(0)],
        ]
        let collection = session == nil ? products : products.withWriteConcern(nil)
        let stored = try await collection.findOneAndUpdate(
            filter: ["_id": .string(sku)], update: update,
            options: FindOneAndUpdateOptions(returnDocument: .after, upsert: true), session: session)
        guard let stored else { throw MongoError(.driver, message: "upsert of product \(sku) returned nothing") }
        return stored
    }

    /// The product with this SKU, or nil.
    public func product(_ sku: String) async throws -> Product? {
        try await products.findOne(["_id": .string(sku)])
    }

    /// Up to `limit` products in SKU order, after the SKU `after` when given (one range of the `_id` index, without
    /// the stock markers).
    public func products(after: String?, limit: Int) async throws -> [Product] {
        var filter: Document = [:]
        if let after { filter["_id"] = ["$gt": .string(after)] }
        return try await products.find(
            filter,
            options: FindOptions(
                sort: ["_id": 1], limit: limit,
                projection: ["name": 1, "price": 1, "stock": 1, "reserved": 1, "updatedAt": 1])
        ).toArray()
    }

    /// The products with these SKUs, by SKU (unknown SKUs are absent), in one query shared with concurrent callers.
    public func products(_ skus: some Collection<String>) async throws -> [String: Product] {
        let found = try await lookups.documents(ids: Set(skus.map(BSONValue.string)))
        return Dictionary(found.values.map { ($0.sku, $0) }, uniquingKeysWith: { first, _ in first })
    }
}

import Foundation
import Mongo

/// The intake collection: documents a shop's checkout inserts, which the service marks once it has handled them
/// (`status: "accepted"` with the `orderId`, or `"rejected"` with the `errors`, and `processedAt`).
struct IntakeCollection: Sendable {
    /// The collection's name.
    let name: String
    let documents: MongoCollection<Document>

    /// The index that serves the catch-up scan: unmarked documents (`status` null or absent) in `_id` order.
    static let unprocessedIndex: Document = ["status": 1, "_id": 1]

    init(database: MongoDatabase, name: String) {
        self.name = name
        documents = database.durableCollection(name, as: Document.self)
    }

    /// Creates the index of unprocessed documents (idempotent; creates the collection when it does not exist).
    func prepare() async throws {
        try await documents.createIndexes([IndexModel(keys: Self.unprocessedIndex, name: "intake_status")])
    }

    /// Up to `limit` documents not marked yet, in `_id` order.
    func unprocessed(limit: Int) async throws -> [Document] {
        try await documents.find(
            ["status": .null],
            options: FindOptions(sort: ["_id": 1], limit: limit, batchSize: limit, hint: Self.unprocessedIndex)
        ).toArray()
    }

    /// The canonical ids of those of `ids` already marked, in one read.
    func marked(_ ids: [BSONValue]) async throws -> Set<String> {
        guard !ids.isEmpty else { return [] }
        let found = try await documents.find(
            ["_id": ["$in": .array(ids)], "status": ["$ne": .null]],
            options: FindOptions(projection: ["_id": 1], batchSize: ids.count)
        ).toArray()
        return Set(found.compactMap { $0["_id"].map(IntakeSubmission.canonical) })
    }

    /// Marks a document accepted as `orderId`; false when it is gone or was already accepted (by another instance).
    ///
    /// A document marked rejected is marked again: its order exists (the catalog changed between two instances'
    /// looks), and an order is the truth.
    func markAccepted(_ id: BSONValue, orderId: String, at time: Date) async throws -> Bool {
        let result = try await documents.updateOne(
            filter: ["_id": id, "status": ["$ne": "accepted"]],
            update: [
                "$set": ["status": "accepted", "orderId": .string(orderId), "processedAt": .datetime(time)],
                "$unset": ["errors": ""],
            ])
        return result.modifiedCount == 1
    }

    /// Marks an unmarked document rejected for `errors`; false when it is gone or already marked.
    func markRejected(_ id: BSONValue, errors: [IntakeFieldError], at time: Date) async throws -> Bool {
        let list = BSONValue.array(
            errors.map { .document(["field": .string($0.field), "message": .string($0.message)]) })
        let result = try await documents.updateOne(
            filter: ["_id": id, "status": .null],
            update: ["$set": ["status": "rejected", "errors": list, "processedAt": .datetime(time)]])
        return result.modifiedCount == 1
    }
}

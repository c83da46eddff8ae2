import Foundation
import Mongo
import SagaKit

/// ``StreamPositionStore`` on MongoDB: one small document per stream, `{_id: <stream>, resumeToken, updatedAt}`, in
/// a collection of the history database (`intake_cursors` by default), written at majority.
///
/// ```swift
/// let positions = MongoStreamPositionStore(client: historyClient, databaseName: "saga_history")
/// try await positions.save(stream.resumeToken!.bsonBytes, of: "order_intake")
/// ```
public struct MongoStreamPositionStore: StreamPositionStore {
    let cursors: MongoCollection<Document>

    /// The store in `collectionName` of `databaseName` (nothing is sent until used).
    public init(
        client: MongoClient, databaseName: String, collectionName: String = "intake_cursors",
        writeConcern: WriteConcern? = .majority
    ) {
        cursors = client.database(databaseName).collection(collectionName, as: Document.self)
            .withWriteConcern(writeConcern).withReadConcern(.majority)
    }

    public func position(of stream: String) async throws -> [UInt8]? {
        guard let stored = try await cursors.findOne(["_id": .string(stream)]),
            let token = stored["resumeToken"]?.documentValue
        else { return nil }
        return token.bsonBytes
    }

    public func save(_ position: [UInt8], of stream: String) async throws {
        let token = try Document(bsonBytes: position)
        try await cursors.updateOne(
            filter: ["_id": .string(stream)],
            update: ["$set": ["resumeToken": .document(token), "updatedAt": .datetime(Date())]],
            options: UpdateOptions(upsert: true))
    }
}

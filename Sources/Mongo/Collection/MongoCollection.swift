import CMongoc

/// A collection whose documents decode as `T`; a cheap value, nothing is sent until it is used.
///
/// Filters, updates and pipelines are `Document`s (MongoDB's query language); values of `T` go
/// through `BSONEncoder`/`BSONDecoder`. Every operation takes an optional `session`, which puts
/// it inside that session's transaction when one is open.
///
/// ```swift
/// let stock = database.collection("products", as: Product.self)
/// let reserved = try await stock.findOneAndUpdate(
///     filter: ["_id": "SKU-1", "stock": ["$gte": 2]],
///     update: ["$inc": ["stock": -2, "reserved": 2]],
///     options: FindOneAndUpdateOptions(returnDocument: .after))
/// ```
public struct MongoCollection<T: Codable & Sendable>: Sendable {
    /// The database this collection is in.
    public let database: MongoDatabase
    /// The collection's name.
    public let name: String
    /// The write concern sent with writes (nil: the deployment's default).
    public private(set) var writeConcern: WriteConcern?
    /// The read concern sent with reads (nil: the deployment's default).
    public private(set) var readConcern: ReadConcern?

    init(database: MongoDatabase, name: String) {
        self.database = database
        self.name = name
    }

    /// This collection with another write concern for its writes.
    public func withWriteConcern(_ concern: WriteConcern?) -> MongoCollection<T> {
        var copy = self
        copy.writeConcern = concern
        return copy
    }

    /// This collection with another read concern for its reads.
    public func withReadConcern(_ concern: ReadConcern?) -> MongoCollection<T> {
        var copy = self
        copy.readConcern = concern
        return copy
    }

    /// The same collection with documents decoded as `U`.
    public func withType<U: Codable & Sendable>(_ type: U.Type) -> MongoCollection<U> {
        var copy = MongoCollection<U>(database: database, name: name)
        copy.writeConcern = writeConcern
        copy.readConcern = readConcern
        return copy
    }

    // MARK: Plumbing

    var client: MongoClient { database.client }

    /// Options common to every write: the write concern.
    var writeOptions: Document {
        guard let writeConcern else { return [:] }
        return ["writeConcern": .document(writeConcern.document)]
    }

    /// Options common to every read: the read concern.
    var readOptions: Document {
        guard let readConcern else { return [:] }
        return ["readConcern": .document(readConcern.document)]
    }

    /// Runs `body` on a pool thread with this collection's handle and the session's handle.
    func run<R: Sendable>(
        session: MongoSession?,
        _ body: @escaping @Sendable (_ collection: OpaquePointer, _ session: OpaquePointer?) throws -> R
    ) async throws -> R {
        let databaseName = database.name
        let collectionName = name
        return try await client.execute(session: session) { client, sessionHandle in
            try DriverCall.withCollection(client, database: databaseName, collection: collectionName) { collection in
                try body(collection, sessionHandle)
            }
        }
    }

    func encode(_ value: T) throws -> Document {
        do {
            return try BSONEncoder().encode(value)
        } catch let error as BSONError {
            throw MongoError(.bson, message: "cannot encode \(T.self): \(error)", bsonError: error)
        }
    }

    func decode(_ document: Document) throws -> T {
        try Self.decode(T.self, document)
    }

    static func decode<U: Decodable>(_ type: U.Type, _ document: Document) throws -> U {
        do {
            return try BSONDecoder().decode(U.self, from: document)
        } catch let error as BSONError {
            throw MongoError(.bson, message: "cannot decode \(U.self): \(error)", bsonError: error)
        }
    }

    static func merge(_ base: Document, _ extra: Document) -> Document {
        var merged = base
        for (key, value) in extra { merged[key] = value }
        return merged
    }
}

extension Document {
    /// This document with an `_id` first, generating an ObjectId when it has none; and that `_id`.
    func withIdentifier() -> (document: Document, id: BSONValue) {
        if let id = self["_id"] { return (self, id) }
        let id = BSONValue.objectId(ObjectId())
        var pairs: [(String, BSONValue)] = [("_id", id)]
        for (key, value) in self { pairs.append((key, value)) }
        return (Document(pairs), id)
    }
}

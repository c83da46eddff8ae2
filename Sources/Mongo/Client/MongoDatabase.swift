import CMongoc

/// A database of a `MongoClient`: a cheap value, nothing is sent until it is used.
public struct MongoDatabase: Sendable {
    /// The client this database belongs to.
    public let client: MongoClient
    /// The database's name.
    public let name: String
    /// The write concern its collections start with (`nil`: the server's default).
    public private(set) var writeConcern: WriteConcern?

    init(client: MongoClient, name: String) {
        self.client = client
        self.name = name
    }

    /// This database, whose collections start with `concern` (`MongoCollection/withWriteConcern(_:)` overrides it).
    public func withWriteConcern(_ concern: WriteConcern?) -> MongoDatabase {
        var copy = self
        copy.writeConcern = concern
        return copy
    }

    /// A handle on the collection `name`, whose documents are `T`, with the database's write concern.
    public func collection<T: Codable & Sendable>(_ name: String, as type: T.Type = Document.self) -> MongoCollection<T>
    {
        MongoCollection(database: self, name: name).withWriteConcern(writeConcern)
    }

    /// Runs a database command and returns the server's reply; throws when the reply is not `ok`.
    public func runCommand(_ command: Document, session: MongoSession? = nil) async throws -> Document {
        let name = self.name
        return try await client.execute(session: session) { client, sessionHandle in
            try DriverCall.withDatabase(client, name: name) { database in
                try DriverCall.withOptions([:], session: sessionHandle) { options in
                    try command.withUnsafeBSONPointer { command in
                        try DriverCall.withReply { reply, error in
                            mongoc_database_command_with_opts(database, command, nil, options, reply, error)
                        }
                    }
                }
            }
        }
    }

    /// Drops the database and everything in it.
    public func drop() async throws {
        _ = try await runCommand(["dropDatabase": 1])
    }

    /// The names of the database's collections.
    public func listCollectionNames() async throws -> [String] {
        let reply = try await runCommand(["listCollections": 1, "nameOnly": true])
        let batch = reply[path: "cursor.firstBatch"]?.arrayValue ?? []
        return batch.compactMap { $0.documentValue?["name"]?.stringValue }
    }
}

extension MongoClient {
    /// Runs `body` on a pool thread with a client (the session's own, when there is a session) and the session handle.
    func execute<T: Sendable>(
        session: MongoSession?,
        _ body: @escaping @Sendable (_ client: OpaquePointer, _ session: OpaquePointer?) throws -> T
    ) async throws -> T {
        if let session {
            return try await session.withHandles(body)
        }
        return try await pool.withClient { client in try body(client, nil) }
    }
}

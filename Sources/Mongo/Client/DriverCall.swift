import CMongoc

/// Helpers for the shapes libmongoc's functions come in; used only on pool threads.
enum DriverCall {
    /// Calls a function that fills a reply and an error and returns whether it succeeded; returns the reply.
    static func withReply(
        _ body: (_ reply: OpaquePointer, _ error: UnsafeMutablePointer<bson_error_t>) -> Bool
    ) throws -> Document {
        var error = bson_error_t()
        let (succeeded, reply) = Document.receivingReply { reply in body(reply, &error) }
        guard succeeded else { throw MongoError(driverError: error, reply: reply) }
        return reply
    }

    /// Runs `body` with `options` as a mutable `bson_t`, with the session's id appended when there is a session.
    ///
    /// `writeConcern` is dropped inside a transaction, where the server refuses it on single operations.
    static func withOptions<T>(
        _ options: Document, session: OpaquePointer?, _ body: (_ options: OpaquePointer) throws -> T
    ) throws -> T {
        var effective = options
        if let session, mongoc_client_session_in_transaction(session) {
            effective["writeConcern"] = nil
        }
        guard let session else {
            return try effective.withUnsafeBSONPointer(body)
        }
        return try LibBSON.withScratchDocument { bson in
            effective.withUnsafeBSONPointer { source in bson_copy_to(source, bson) }
            defer { bson_destroy(bson) }
            var error = bson_error_t()
            guard mongoc_client_session_append(session, bson, &error) else {
                throw MongoError(driverError: error)
            }
            return try body(bson)
        }
    }

    /// Runs `body` with a collection handle made from `client`.
    static func withCollection<T>(
        _ client: OpaquePointer, database: String, collection: String, _ body: (OpaquePointer) throws -> T
    ) throws -> T {
        guard let handle = mongoc_client_get_collection(client, database, collection) else {
            throw MongoError(.invalidArgument, message: "invalid collection name \(database).\(collection)")
        }
        defer { mongoc_collection_destroy(handle) }
        return try body(handle)
    }

    /// Runs `body` with a database handle made from `client`.
    static func withDatabase<T>(_ client: OpaquePointer, name: String, _ body: (OpaquePointer) throws -> T) throws -> T
    {
        guard let handle = mongoc_client_get_database(client, name) else {
            throw MongoError(.invalidArgument, message: "invalid database name \(name)")
        }
        defer { mongoc_database_destroy(handle) }
        return try body(handle)
    }
}

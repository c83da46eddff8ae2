import CMongoc

extension MongoCollection {
    /// Documents matching `filter`, as a cursor.
    public func find(
        _ filter: Document = [:], options: FindOptions = FindOptions(), session: MongoSession? = nil
    ) async throws -> MongoCursor<T> {
        try await find(filter, options: options, session: session, as: T.self)
    }

    /// Documents matching `filter`, decoded as `U` (for projections that do not fit `T`).
    public func find<U: Decodable & Sendable>(
        _ filter: Document = [:], options: FindOptions = FindOptions(), session: MongoSession? = nil, as type: U.Type
    ) async throws -> MongoCursor<U> {
        let operationOptions = Self.merge(readOptions, options.document)
        let target = (database.name, name)
        return try await openCursor(session: session, batchLimit: options.batchSize ?? 101) { client, session in
            try DriverCall.withCollection(client, database: target.0, collection: target.1) { collection in
                try DriverCall.withOptions(operationOptions, session: session) { options in
                    try filter.withUnsafeBSONPointer { filter in
                        guard let cursor = mongoc_collection_find_with_opts(collection, filter, options, nil) else {
                            throw MongoError(.driver, message: "cannot create a find cursor")
                        }
                        return cursor
                    }
                }
            }
        }
    }

    /// The first document matching `filter` (in `sort` order, if given), or nil.
    public func findOne(
        _ filter: Document = [:], sort: Document? = nil, projection: Document? = nil, session: MongoSession? = nil
    ) async throws -> T? {
        try await findOne(filter, sort: sort, projection: projection, session: session, as: T.self)
    }

    /// The first document matching `filter`, decoded as `U`, or nil.
    public func findOne<U: Decodable & Sendable>(
        _ filter: Document = [:], sort: Document? = nil, projection: Document? = nil, session: MongoSession? = nil,
        as type: U.Type
    ) async throws -> U? {
        let options = Self.merge(
            readOptions, FindOptions(sort: sort, limit: 1, projection: projection, batchSize: 1).document)
        let document: Document? = try await run(session: session) { collection, session in
            try DriverCall.withOptions(options, session: session) { options in
                try filter.withUnsafeBSONPointer { filter in
                    guard let cursor = mongoc_collection_find_with_opts(collection, filter, options, nil) else {
                        throw MongoError(.driver, message: "cannot create a find cursor")
                    }
                    defer { mongoc_cursor_destroy(cursor) }
                    return try CursorCore.read(cursor, limit: 1).batch.first
                }
            }
        }
        return try document.map { try Self.decode(U.self, $0) }
    }

    /// How many documents match `filter`.
    public func countDocuments(_ filter: Document = [:], session: MongoSession? = nil) async throws -> Int {
        let options = readOptions
        return try await run(session: session) { collection, session in
            try DriverCall.withOptions(options, session: session) { options in
                try filter.withUnsafeBSONPointer { filter in
                    var error = bson_error_t()
                    let (count, reply) = Document.receivingReply { reply in
                        mongoc_collection_count_documents(collection, filter, options, nil, reply, &error)
                    }
                    guard count >= 0 else { throw MongoError(driverError: error, reply: reply) }
                    return Int(count)
                }
            }
        }
    }

    /// Runs an aggregation pipeline and returns its output, decoded as `U`.
    public func aggregate<U: Decodable & Sendable>(
        _ pipeline: [Document], options: AggregateOptions = AggregateOptions(), session: MongoSession? = nil,
        as type: U.Type = Document.self
    ) async throws -> MongoCursor<U> {
        let operationOptions = Self.merge(readOptions, options.document)
        let stages: Document = ["pipeline": .array(pipeline.map(BSONValue.document))]
        let target = (database.name, name)
        return try await openCursor(session: session, batchLimit: options.batchSize ?? 101) { client, session in
            try DriverCall.withCollection(client, database: target.0, collection: target.1) { collection in
                try DriverCall.withOptions(operationOptions, session: session) { options in
                    try stages.withUnsafeBSONPointer { stages in
                        guard
                            let cursor = mongoc_collection_aggregate(
                                collection, MONGOC_QUERY_NONE, stages, options, nil)
                        else {
                            throw MongoError(.driver, message: "cannot create an aggregate cursor")
                        }
                        return cursor
                    }
                }
            }
        }
    }

    /// Opens a cursor with `make` on a leased client (or the session's), reading its first batch in the same hop.
    private func openCursor<U: Decodable & Sendable>(
        session: MongoSession?, batchLimit: Int,
        make: @escaping @Sendable (_ client: OpaquePointer, _ session: OpaquePointer?) throws -> OpaquePointer
    ) async throws -> MongoCursor<U> {
        let (core, batch): (CursorCore?, [Document])
        if let session {
            let handle = session.handle
            (core, batch) = try await CursorCore.open(client: session.client, ownsClient: false, batchLimit: batchLimit)
            {
                try make($0, handle.pointer)
            }
        } else {
            let lease = try await client.pool.lease()
            (core, batch) = try await CursorCore.open(client: lease, ownsClient: true, batchLimit: batchLimit) {
                try make($0, nil)
            }
        }
        return MongoCursor(core: core, firstBatch: batch, batchLimit: batchLimit)
    }
}

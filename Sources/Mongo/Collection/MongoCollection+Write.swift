import CMongoc

extension MongoCollection {
    /// Inserts one document; throws a `.duplicateKey` error when a unique index refuses it.
    @discardableResult
    public func insertOne(_ value: T, session: MongoSession? = nil) async throws -> InsertOneResult {
        let (document, id) = try encode(value).withIdentifier()
        let options = writeOptions
        _ = try await run(session: session) { collection, session in
            try DriverCall.withOptions(options, session: session) { options in
                try document.withUnsafeBSONPointer { document in
                    try DriverCall.withReply { reply, error in
                        mongoc_collection_insert_one(collection, document, options, reply, error)
                    }
                }
            }
        }
        return InsertOneResult(insertedId: id)
    }

    /// Inserts documents in order, stopping at the first failure when `ordered` (the default).
    @discardableResult
    public func insertMany(_ values: [T], ordered: Bool = true, session: MongoSession? = nil) async throws
        -> InsertManyResult
    {
        guard !values.isEmpty else { return InsertManyResult(insertedIds: []) }
        let prepared = try values.map { try encode($0).withIdentifier() }
        let documents = prepared.map(\.document)
        let options = Self.merge(writeOptions, ["ordered": .bool(ordered)])
        _ = try await run(session: session) { collection, session in
            try DriverCall.withOptions(options, session: session) { options in
                var pointers: [OpaquePointer?] = documents.map { document in
                    let bytes = document.bsonBytes
                    return bytes.withUnsafeBufferPointer { bson_new_from_data($0.baseAddress, bytes.count) }
                }
                defer { pointers.forEach { bson_destroy($0) } }
                let count = pointers.count
                return try DriverCall.withReply { reply, error in
                    mongoc_collection_insert_many(collection, &pointers, count, options, reply, error)
                }
            }
        }
        return InsertManyResult(insertedIds: prepared.map(\.id))
    }

    /// Applies `update` (operators such as `$set`, or a pipeline) to the first document matching `filter`.
    @discardableResult
    public func updateOne(
        filter: Document, update: Document, options: UpdateOptions = UpdateOptions(), session: MongoSession? = nil
    ) async throws -> UpdateResult {
        try await performUpdate(filter: filter, update: update, options: options, many: false, session: session)
    }

    /// Applies `update` to every document matching `filter`.
    @discardableResult
    public func updateMany(
        filter: Document, update: Document, options: UpdateOptions = UpdateOptions(), session: MongoSession? = nil
    ) async throws -> UpdateResult {
        try await performUpdate(filter: filter, update: update, options: options, many: true, session: session)
    }

    /// Replaces the first document matching `filter` with `replacement`.
    @discardableResult
    public func replaceOne(
        filter: Document, replacement: T, options: UpdateOptions = UpdateOptions(), session: MongoSession? = nil
    ) async throws -> UpdateResult {
        let document = try encode(replacement)
        let operationOptions = Self.merge(writeOptions, options.document)
        let reply = try await run(session: session) { collection, session in
            try DriverCall.withOptions(operationOptions, session: session) { options in
                try filter.withUnsafeBSONPointer { filter in
                    try document.withUnsafeBSONPointer { document in
                        try DriverCall.withReply { reply, error in
                            mongoc_collection_replace_one(collection, filter, document, options, reply, error)
                        }
                    }
                }
            }
        }
        return UpdateResult(reply: reply)
    }

    private func performUpdate(
        filter: Document, update: Document, options: UpdateOptions, many: Bool, session: MongoSession?
    ) async throws -> UpdateResult {
        let operationOptions = Self.merge(writeOptions, options.document)
        let reply = try await run(session: session) { collection, session in
            try DriverCall.withOptions(operationOptions, session: session) { options in
                try filter.withUnsafeBSONPointer { filter in
                    try update.withUnsafeBSONPointer { update in
                        try DriverCall.withReply { reply, error in
                            many
                                ? mongoc_collection_update_many(collection, filter, update, options, reply, error)
                                : mongoc_collection_update_one(collection, filter, update, options, reply, error)
                        }
                    }
                }
            }
        }
        return UpdateResult(reply: reply)
    }

    /// Atomically updates the first document matching `filter` and returns it (before or after the update),
    /// or nil when nothing matched and nothing was upserted.
    ///
    /// With a conditional filter this is the building block of race-free counters and reservations:
    /// the update applies only while the condition holds, and the caller learns which happened.
    public func findOneAndUpdate(
        filter: Document, update: Document, options: FindOneAndUpdateOptions = FindOneAndUpdateOptions(),
        session: MongoSession? = nil
    ) async throws -> T? {
        let extra = writeOptions
        let reply = try await run(session: session) { collection, session in
            guard let modifyOptions = mongoc_find_and_modify_opts_new() else {
                throw MongoError(.driver, message: "cannot allocate findAndModify options")
            }
            defer { mongoc_find_and_modify_opts_destroy(modifyOptions) }
            var flags = MONGOC_FIND_AND_MODIFY_NONE.rawValue
            if options.upsert { flags |= MONGOC_FIND_AND_MODIFY_UPSERT.rawValue }
            if options.returnDocument == .after { flags |= MONGOC_FIND_AND_MODIFY_RETURN_NEW.rawValue }
            mongoc_find_and_modify_opts_set_flags(modifyOptions, mongoc_find_and_modify_flags_t(rawValue: flags))
            update.withUnsafeBSONPointer { _ = mongoc_find_and_modify_opts_set_update(modifyOptions, $0) }
            options.sort?.withUnsafeBSONPointer { _ = mongoc_find_and_modify_opts_set_sort(modifyOptions, $0) }
            options.projection?.withUnsafeBSONPointer { _ = mongoc_find_and_modify_opts_set_fields(modifyOptions, $0) }
            return try DriverCall.withOptions(extra, session: session) { extra in
                mongoc_find_and_modify_opts_append(modifyOptions, extra)
                return try filter.withUnsafeBSONPointer { filter in
                    try DriverCall.withReply { reply, error in
                        mongoc_collection_find_and_modify_with_opts(collection, filter, modifyOptions, reply, error)
                    }
                }
            }
        }
        guard let value = reply["value"]?.documentValue else { return nil }
        return try decode(value)
    }

    /// Updates the first document matching `filter` with an aggregation pipeline (updates whose values depend on
    /// the document, such as `$cond`), and returns it as it was before or after, as `options` ask.
    ///
    /// Runs the `findAndModify` command with this collection's write concern; a write-concern error in the reply is
    /// thrown (`.writeConcern`), never taken as success.
    public func findOneAndUpdate(
        filter: Document, pipeline: [Document], options: FindOneAndUpdateOptions = FindOneAndUpdateOptions(),
        session: MongoSession? = nil
    ) async throws -> T? {
        var command: Document = [
            "findAndModify": .string(name), "query": .document(filter),
            "update": .array(pipeline.map(BSONValue.document)),
            "new": .bool(options.returnDocument == .after), "upsert": .bool(options.upsert),
        ]
        if let sort = options.sort { command["sort"] = .document(sort) }
        if let projection = options.projection { command["fields"] = .document(projection) }
        if let writeConcern { command["writeConcern"] = .document(writeConcern.document) }
        let reply = try await database.runCommand(command, session: session)
        if let failure = reply["writeConcernError"]?.documentValue {
            throw MongoError(
                .writeConcern, code: Int(failure["code"]?.int64Value ?? 0), codeName: failure["codeName"]?.stringValue,
                message: failure["errmsg"]?.stringValue ?? "write concern not satisfied")
        }
        guard let value = reply["value"]?.documentValue else { return nil }
        return try decode(value)
    }

    /// Deletes the first document matching `filter`.
    @discardableResult
    public func deleteOne(filter: Document, session: MongoSession? = nil) async throws -> DeleteResult {
        try await delete(filter: filter, many: false, session: session)
    }

    /// Deletes every document matching `filter`.
    @discardableResult
    public func deleteMany(filter: Document, session: MongoSession? = nil) async throws -> DeleteResult {
        try await delete(filter: filter, many: true, session: session)
    }

    private func delete(filter: Document, many: Bool, session: MongoSession?) async throws -> DeleteResult {
        let options = writeOptions
        let reply = try await run(session: session) { collection, session in
            try DriverCall.withOptions(options, session: session) { options in
                try filter.withUnsafeBSONPointer { filter in
                    try DriverCall.withReply { reply, error in
                        many
                            ? mongoc_collection_delete_many(collection, filter, options, reply, error)
                            : mongoc_collection_delete_one(collection, filter, options, reply, error)
                    }
                }
            }
        }
        return DeleteResult(deletedCount: reply["deletedCount"]?.int64Value.map(Int.init) ?? 0)
    }

    /// Creates indexes (a no-op for those that already exist with the same definition); returns their names.
    @discardableResult
    public func createIndexes(_ models: [IndexModel], session: MongoSession? = nil) async throws -> [String] {
        var command: Document = [
            "createIndexes": .string(name),
            "indexes": .array(models.map { .document($0.document) }),
        ]
        if let writeConcern { command["writeConcern"] = .document(writeConcern.document) }
        _ = try await database.runCommand(command, session: session)
        return models.map(\.resolvedName)
    }

    /// Drops the index named `name` (no error when it or the collection does not exist).
    public func dropIndex(named name: String) async throws {
        var command: Document = ["dropIndexes": .string(self.name), "index": .string(name)]
        if let writeConcern { command["writeConcern"] = .document(writeConcern.document) }
        do {
            _ = try await database.runCommand(command)
        } catch let error as MongoError where error.code == 26 || error.code == 27 {
            return
        }
    }

    /// Drops the collection (no error when it does not exist).
    public func drop() async throws {
        do {
            _ = try await database.runCommand(["drop": .string(name)])
        } catch let error as MongoError where error.code == 26 {
            return
        }
    }
}

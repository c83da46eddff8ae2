import CMongoc

extension MongoCollection {
    /// Sends many writes in one round trip (per server batch).
    ///
    /// Ordered (the default) stops at the first failure; unordered attempts every write. Either way a
    /// write that fails is reported in `BulkWriteFailure.writeErrors` by its index, with the result of
    /// the writes that succeeded.
    @discardableResult
    public func bulkWrite(
        _ models: [WriteModel<T>], ordered: Bool = true, session: MongoSession? = nil
    ) async throws -> BulkWriteResult {
        guard !models.isEmpty else {
            return BulkWriteResult(
                insertedCount: 0, matchedCount: 0, modifiedCount: 0, deletedCount: 0, upsertedCount: 0,
                upsertedIds: [:], insertedIds: [:])
        }
        var insertedIds: [Int: BSONValue] = [:]
        let operations: [PreparedWrite] = try models.enumerated().map { index, model in
            switch model {
            case .insertOne(let value):
                let (document, id) = try encode(value).withIdentifier()
                insertedIds[index] = id
                return .insert(document)
            case .updateOne(let filter, let update, let upsert):
                return .update(filter, update, upsert: upsert, many: false)
            case .updateMany(let filter, let update, let upsert):
                return .update(filter, update, upsert: upsert, many: true)
            case .replaceOne(let filter, let replacement, let upsert):
                return .replace(filter, try encode(replacement), upsert: upsert)
            case .deleteOne(let filter):
                return .delete(filter, many: false)
            case .deleteMany(let filter):
                return .delete(filter, many: true)
            }
        }
        let options = Self.merge(writeOptions, ["ordered": .bool(ordered)])
        let (succeeded, reply, failure) = try await run(session: session) { collection, session in
            try DriverCall.withOptions(options, session: session) { options in
                guard let bulk = mongoc_collection_create_bulk_operation_with_opts(collection, options) else {
                    throw MongoError(.driver, message: "cannot create a bulk operation")
                }
                defer { mongoc_bulk_operation_destroy(bulk) }
                for operation in operations { try operation.add(to: bulk) }
                var error = bson_error_t()
                let (server, document) = Document.receivingReply { reply in
                    mongoc_bulk_operation_execute(bulk, reply, &error)
                }
                return (server != 0, document, server != 0 ? nil : MongoError(driverError: error, reply: document))
            }
        }
        let result = Self.bulkResult(reply, insertedIds: insertedIds)
        let writeErrors = Self.writeErrors(in: reply)
        let writeConcernError = reply["writeConcernErrors"]?.arrayValue?.first?.documentValue
        // A write-concern error means the writes that applied may still be rolled back: never report success.
        if !writeErrors.isEmpty || writeConcernError != nil {
            throw BulkWriteFailure(result: result, writeErrors: writeErrors, writeConcernError: writeConcernError)
        }
        if !succeeded, let failure { throw failure }
        return result
    }

    private static func bulkResult(_ reply: Document, insertedIds: [Int: BSONValue]) -> BulkWriteResult {
        func count(_ key: String) -> Int { reply[key]?.int64Value.map(Int.init) ?? 0 }
        var upserted: [Int: BSONValue] = [:]
        for entry in reply["upserted"]?.arrayValue ?? [] {
            guard let entry = entry.documentValue, let index = entry["index"]?.int64Value, let id = entry["_id"] else {
                continue
            }
            upserted[Int(index)] = id
        }
        let failed = Set(writeErrors(in: reply).map(\.index))
        return BulkWriteResult(
            insertedCount: count("nInserted"), matchedCount: count("nMatched"), modifiedCount: count("nModified"),
            deletedCount: count("nRemoved"), upsertedCount: count("nUpserted"), upsertedIds: upserted,
            insertedIds: insertedIds.filter { !failed.contains($0.key) })
    }

    private static func writeErrors(in reply: Document) -> [BulkWriteError] {
        (reply["writeErrors"]?.arrayValue ?? []).compactMap { value in
            guard let entry = value.documentValue else { return nil }
            return BulkWriteError(
                index: Int(entry["index"]?.int64Value ?? -1),
                code: Int(entry["code"]?.int64Value ?? 0),
                message: entry["errmsg"]?.stringValue ?? "",
                keyValue: entry["keyValue"]?.documentValue)
        }
    }
}

/// A write of a bulk write, encoded and ready to add to a libmongoc bulk operation.
private enum PreparedWrite: Sendable {
    case insert(Document)
    case update(Document, Document, upsert: Bool, many: Bool)
    case replace(Document, Document, upsert: Bool)
    case delete(Document, many: Bool)

    func add(to bulk: OpaquePointer) throws {
        var error = bson_error_t()
        let added: Bool
        switch self {
        case .insert(let document):
            added = document.withUnsafeBSONPointer { mongoc_bulk_operation_insert_with_opts(bulk, $0, nil, &error) }
        case .update(let filter, let update, let upsert, let many):
            let options: Document = upsert ? ["upsert": true] : [:]
            added = filter.withUnsafeBSONPointer { filter in
                update.withUnsafeBSONPointer { update in
                    options.withUnsafeBSONPointer { options in
                        many
                            ? mongoc_bulk_operation_update_many_with_opts(bulk, filter, update, options, &error)
                            : mongoc_bulk_operation_update_one_with_opts(bulk, filter, update, options, &error)
                    }
                }
            }
        case .replace(let filter, let replacement, let upsert):
            let options: Document = upsert ? ["upsert": true] : [:]
            added = filter.withUnsafeBSONPointer { filter in
                replacement.withUnsafeBSONPointer { replacement in
                    options.withUnsafeBSONPointer { options in
                        mongoc_bulk_operation_replace_one_with_opts(bulk, filter, replacement, options, &error)
                    }
                }
            }
        case .delete(let filter, let many):
            added = filter.withUnsafeBSONPointer { filter in
                many
                    ? mongoc_bulk_operation_remove_many_with_opts(bulk, filter, nil, &error)
                    : mongoc_bulk_operation_remove_one_with_opts(bulk, filter, nil, &error)
            }
        }
        guard added else { throw MongoError(driverError: error) }
    }
}

import CMongoc

/// One write of a bulk write across collections: the write and the collection it goes to.
public struct NamespacedWrite: Sendable {
    /// The database the write goes to.
    public var database: String
    /// The collection the write goes to.
    public var collection: String
    /// The write.
    public var model: WriteModel<Document>

    /// `model`, to be made in `collection` (only its database's and its own name are used).
    public init<T>(_ model: WriteModel<Document>, in collection: MongoCollection<T>) {
        self.database = collection.database.name
        self.collection = collection.name
        self.model = model
    }

    /// `model`, to be made in collection `collection` of database `database`.
    public init(_ model: WriteModel<Document>, database: String, collection: String) {
        self.database = database
        self.collection = collection
        self.model = model
    }

    var namespace: String { "\(database).\(collection)" }
}

extension MongoClient {
    /// The wire version from which a deployment takes writes to several collections in one command (MongoDB 8.0).
    static let bulkWriteCommandWireVersion: Int64 = 25

    /// Whether the deployment takes ``bulkWrite(_:ordered:writeConcern:)``: MongoDB 8.0 or later, by the wire
    /// version it reports.
    public func supportsBulkWriteAcrossCollections() async throws -> Bool {
        let hello = try await database("admin").runCommand(["hello": 1])
        return (hello["maxWireVersion"]?.int64Value ?? 0) >= Self.bulkWriteCommandWireVersion
    }

    /// Sends writes to any collections of any databases in one ordered command (MongoDB 8.0's `bulkWrite`), under
    /// `writeConcern` (nil: the deployment's default): a write is made only if every write before it was.
    ///
    /// The reply carries errors only, so it always fits in its first batch: the counts of what was made, and the write
    /// that failed, if one did, in `BulkWriteFailure.writeErrors` by its index in `writes` (nothing after it was made).
    /// A write-concern error throws `BulkWriteFailure` too, since the writes that applied may still be rolled back.
    /// Needs ``supportsBulkWriteAcrossCollections()``; a deployment without the command throws its error.
    @discardableResult
    public func bulkWrite(_ writes: [NamespacedWrite], writeConcern: WriteConcern?) async throws -> BulkWriteResult {
        guard !writes.isEmpty else {
            return BulkWriteResult(
                insertedCount: 0, matchedCount: 0, modifiedCount: 0, deletedCount: 0, upsertedCount: 0,
                upsertedIds: [:], insertedIds: [:])
        }
        var namespaces: [String: Int] = [:]
        var namespaceList: [BSONValue] = []
        var insertedIds: [Int: BSONValue] = [:]
        var operations: [BSONValue] = []
        for (index, write) in writes.enumerated() {
            let namespace =
                namespaces[write.namespace]
                ?? {
                    namespaceList.append(.document(["ns": .string(write.namespace)]))
                    namespaces[write.namespace] = namespaceList.count - 1
                    return namespaceList.count - 1
                }()
            let target = BSONValue.int32(Int32(namespace))
            switch write.model {
            case .insertOne(let document):
                let (document, id) = document.withIdentifier()
                insertedIds[index] = id
                operations.append(.document(["insert": target, "document": .document(document)]))
            case .updateOne(let filter, let update, let upsert), .updateMany(let filter, let update, let upsert),
                .replaceOne(let filter, let update, let upsert):
                let many: Bool = if case .updateMany = write.model { true } else { false }
                operations.append(
                    .document([
                        "update": target, "filter": .document(filter), "updateMods": .document(update),
                        "upsert": .bool(upsert), "multi": .bool(many),
                    ]))
            case .deleteOne(let filter), .deleteMany(let filter):
                let many: Bool = if case .deleteMany = write.model { true } else { false }
                operations.append(.document(["delete": target, "filter": .document(filter), "multi": .bool(many)]))
            }
        }
        let command: Document = [
            "bulkWrite": 1, "ops": .array(operations), "nsInfo": .array(namespaceList), "ordered": true,
            "errorsOnly": true,
        ]
        let options: Document = writeConcern.map { ["writeConcern": .document($0.document)] } ?? [:]
        let reply = try await execute(session: nil) { client, _ in
            try command.withUnsafeBSONPointer { command in
                try options.withUnsafeBSONPointer { options in
                    var error = bson_error_t()
                    let (_, reply) = Document.receivingReply { reply in
                        mongoc_client_write_command_with_opts(client, "admin", command, options, reply, &error)
                    }
                    // A reply that is `ok` may still carry a write error or a write-concern error: read below.
                    guard Self.isOK(reply["ok"]) else { throw MongoError(driverError: error, reply: reply) }
                    return reply
                }
            }
        }
        let writeErrors: [BulkWriteError] = (reply[path: "cursor.firstBatch"]?.arrayValue ?? []).compactMap {
            guard let entry = $0.documentValue, !Self.isOK(entry["ok"]), let index = entry["idx"]?.int64Value else {
                return nil
            }
            return BulkWriteError(
                index: Int(index), code: Int(entry["code"]?.int64Value ?? 0),
                message: entry["errmsg"]?.stringValue ?? "",
                keyValue: entry["keyValue"]?.documentValue)
        }
        guard writeErrors.count == Int(reply["nErrors"]?.int64Value ?? 0), writeErrors.count <= 1 else {
            throw MongoError(.driver, message: "a bulkWrite reply that does not add up: \(reply)")
        }
        func count(_ key: String) -> Int { reply[key]?.int64Value.map(Int.init) ?? 0 }
        let stop = writeErrors.first?.index ?? writes.count
        let result = BulkWriteResult(
            insertedCount: count("nInserted"), matchedCount: count("nMatched"), modifiedCount: count("nModified"),
            deletedCount: count("nDeleted"), upsertedCount: count("nUpserted"), upsertedIds: [:],
            insertedIds: insertedIds.filter { $0.key < stop })
        let writeConcernError = reply["writeConcernError"]?.documentValue
        if !writeErrors.isEmpty || writeConcernError != nil {
            throw BulkWriteFailure(result: result, writeErrors: writeErrors, writeConcernError: writeConcernError)
        }
        return result
    }

    private static func isOK(_ value: BSONValue?) -> Bool { value?.doubleValue == 1 || value?.int64Value == 1 }
}

/// One write of a bulk write.
public enum WriteModel<T: Codable & Sendable>: Sendable {
    /// Insert a document.
    case insertOne(T)
    /// Update the first document matching `filter`.
    case updateOne(filter: Document, update: Document, upsert: Bool = false)
    /// Update every document matching `filter`.
    case updateMany(filter: Document, update: Document, upsert: Bool = false)
    /// Replace the first document matching `filter`.
    case replaceOne(filter: Document, replacement: T, upsert: Bool = false)
    /// Delete the first document matching `filter`.
    case deleteOne(filter: Document)
    /// Delete every document matching `filter`.
    case deleteMany(filter: Document)
}

/// What a bulk write did.
public struct BulkWriteResult: Sendable {
    /// Documents inserted.
    public var insertedCount: Int
    /// Documents matched by updates and replacements.
    public var matchedCount: Int
    /// Documents changed by updates and replacements.
    public var modifiedCount: Int
    /// Documents deleted.
    public var deletedCount: Int
    /// Documents inserted by upserts.
    public var upsertedCount: Int
    /// The `_id` of each upserted document, by the index of its write.
    public var upsertedIds: [Int: BSONValue]
    /// The `_id` of each inserted document, by the index of its write.
    public var insertedIds: [Int: BSONValue]
}

/// The failure of one write of a bulk write.
public struct BulkWriteError: Sendable {
    /// The index of the failed write in the list given.
    public var index: Int
    /// The server's error code.
    public var code: Int
    /// The server's message.
    public var message: String
    /// The duplicate key, for a duplicate-key error.
    public var keyValue: Document?

    /// The kind of the error, as for a single write.
    public var kind: MongoError.Kind { MongoError.kind(ofServerCode: code, message: message) }
}

/// A bulk write in which some writes failed; the others (all of them, when unordered) took effect.
public struct BulkWriteFailure: Error, Sendable, CustomStringConvertible {
    /// What the writes that succeeded did.
    public var result: BulkWriteResult
    /// The writes that failed.
    public var writeErrors: [BulkWriteError]
    /// The write-concern error, if the write concern could not be satisfied.
    public var writeConcernError: Document?

    public var description: String {
        let errors = writeErrors.prefix(3).map { "#\($0.index): \($0.code) \($0.message)" }.joined(separator: "; ")
        return "BulkWriteFailure(\(writeErrors.count) write errors: \(errors))"
    }
}

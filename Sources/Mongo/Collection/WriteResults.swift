/// What `insertOne` did.
public struct InsertOneResult: Sendable {
    /// The inserted document's `_id` (generated when the document had none).
    public let insertedId: BSONValue
}

/// What `insertMany` did.
public struct InsertManyResult: Sendable {
    /// The inserted documents' `_id`s, in the order given.
    public let insertedIds: [BSONValue]
}

/// What an update or a replacement did.
public struct UpdateResult: Sendable {
    /// Documents that matched the filter.
    public let matchedCount: Int
    /// Documents that changed.
    public let modifiedCount: Int
    /// The `_id` of the document an upsert inserted, if it inserted one.
    public let upsertedId: BSONValue?

    init(reply: Document) {
        matchedCount = reply["matchedCount"]?.int64Value.map(Int.init) ?? 0
        modifiedCount = reply["modifiedCount"]?.int64Value.map(Int.init) ?? 0
        upsertedId = reply["upsertedId"]
    }
}

/// What a delete did.
public struct DeleteResult: Sendable {
    /// Documents deleted.
    public let deletedCount: Int
}

extension MongoError {
    /// The error of one refused write of a bulk write, as a single write would have thrown it.
    public init(refusal: BulkWriteError) {
        self.init(refusal.kind, code: refusal.code, message: refusal.message, keyValue: refusal.keyValue)
    }
}

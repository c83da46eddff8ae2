/// One change reported by a change stream.
public struct ChangeEvent<T: Codable & Sendable>: Codable, Sendable {
    /// The change's resume token: start a new stream after this change with `resumeAfter`.
    public let resumeToken: Document
    /// `insert`, `update`, `replace`, `delete`, `drop`, `invalidate`, …
    public let operationType: String
    /// The changed document's key (`{_id: …}`).
    public let documentKey: Document?
    /// The document after the change: for inserts and replacements, and for updates with `fullDocument: .updateLookup`.
    public let fullDocument: T?
    /// For updates, what changed.
    public let updateDescription: UpdateDescription?
    /// When the change happened in the deployment's logical clock.
    public let clusterTime: BSONTimestamp?

    /// The fields an update set and removed.
    public struct UpdateDescription: Codable, Sendable {
        /// The fields set, by dotted path.
        public let updatedFields: Document?
        /// The fields removed.
        public let removedFields: [String]?
    }

    enum CodingKeys: String, CodingKey {
        case resumeToken = "_id"
        case operationType, documentKey, fullDocument, updateDescription, clusterTime
    }
}

/// Options of `watch`.
public struct ChangeStreamOptions: Sendable {
    /// Whether update events carry the document as it is now.
    public enum FullDocument: String, Sendable {
        /// Only inserts and replacements carry the document.
        case `default`
        /// Updates carry the document as read just after (it may have changed again since).
        case updateLookup
    }

    /// Start after the change with this resume token.
    public var resumeAfter: Document?
    /// Like `resumeAfter`, but also past an invalidate event.
    public var startAfter: Document?
    /// Start with the changes at this cluster time and after (when neither token is given).
    public var startAtOperationTime: BSONTimestamp?
    /// Whether update events carry the whole document.
    public var fullDocument: FullDocument
    /// How long one server wait for new changes may take before the stream checks for cancellation.
    public var maxAwaitTime: Duration
    /// Changes per server round trip.
    public var batchSize: Int?

    /// Creates change-stream options.
    public init(
        resumeAfter: Document? = nil, startAfter: Document? = nil, startAtOperationTime: BSONTimestamp? = nil,
        fullDocument: FullDocument = .default, maxAwaitTime: Duration = .seconds(1), batchSize: Int? = nil
    ) {
        self.resumeAfter = resumeAfter
        self.startAfter = startAfter
        self.startAtOperationTime = startAtOperationTime
        self.fullDocument = fullDocument
        self.maxAwaitTime = maxAwaitTime
        self.batchSize = batchSize
    }

    var document: Document {
        var document: Document = ["maxAwaitTimeMS": .int64(Int64(maxAwaitTime.clampedMilliseconds))]
        if let resumeAfter { document["resumeAfter"] = .document(resumeAfter) }
        if let startAfter { document["startAfter"] = .document(startAfter) }
        if let startAtOperationTime { document["startAtOperationTime"] = .timestamp(startAtOperationTime) }
        if fullDocument != .default { document["fullDocument"] = .string(fullDocument.rawValue) }
        if let batchSize { document["batchSize"] = .int64(Int64(batchSize)) }
        return document
    }
}

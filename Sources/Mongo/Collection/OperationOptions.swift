/// Options of `find` and `findOne`.
public struct FindOptions: Sendable {
    /// The sort order, such as `["createdAt": -1]`.
    public var sort: Document?
    /// The most documents to return (nil: all).
    public var limit: Int?
    /// How many matching documents to skip first.
    public var skip: Int?
    /// Which fields to return, such as `["events": ["$slice": [10, 100]]]`.
    public var projection: Document?
    /// Documents per server round trip.
    public var batchSize: Int?
    /// An index hint.
    public var hint: Document?
    /// A server-side time limit for the query.
    public var maxTime: Duration?

    /// Creates find options.
    public init(
        sort: Document? = nil, limit: Int? = nil, skip: Int? = nil, projection: Document? = nil,
        batchSize: Int? = nil, hint: Document? = nil, maxTime: Duration? = nil
    ) {
        self.sort = sort
        self.limit = limit
        self.skip = skip
        self.projection = projection
        self.batchSize = batchSize
        self.hint = hint
        self.maxTime = maxTime
    }

    var document: Document {
        var document: Document = [:]
        if let sort { document["sort"] = .document(sort) }
        if let limit { document["limit"] = .int64(Int64(limit)) }
        if let skip { document["skip"] = .int64(Int64(skip)) }
        if let projection { document["projection"] = .document(projection) }
        if let batchSize { document["batchSize"] = .int64(Int64(batchSize)) }
        if let hint { document["hint"] = .document(hint) }
        if let maxTime { document["maxTimeMS"] = .int64(Int64(maxTime.clampedMilliseconds)) }
        return document
    }
}

/// Options of `updateOne`, `updateMany` and `replaceOne`.
public struct UpdateOptions: Sendable {
    /// Insert a document built from the filter and the update when none matches.
    public var upsert: Bool
    /// Filters that say which array elements `$[name]` updates.
    public var arrayFilters: [Document]?

    /// Creates update options.
    public init(upsert: Bool = false, arrayFilters: [Document]? = nil) {
        self.upsert = upsert
        self.arrayFilters = arrayFilters
    }

    var document: Document {
        var document: Document = [:]
        if upsert { document["upsert"] = true }
        if let arrayFilters { document["arrayFilters"] = .array(arrayFilters.map(BSONValue.document)) }
        return document
    }
}

/// Which version of the document `findOneAndUpdate` returns.
public enum ReturnDocument: Sendable {
    /// The document as it was before the update.
    case before
    /// The document as the update left it.
    case after
}

/// Options of `findOneAndUpdate`.
public struct FindOneAndUpdateOptions: Sendable {
    /// Which version of the document to return.
    public var returnDocument: ReturnDocument
    /// Insert when nothing matches.
    public var upsert: Bool
    /// Which document to pick when several match.
    public var sort: Document?
    /// Which fields to return.
    public var projection: Document?

    /// Creates the options.
    public init(
        returnDocument: ReturnDocument = .before, upsert: Bool = false, sort: Document? = nil,
        projection: Document? = nil
    ) {
        self.returnDocument = returnDocument
        self.upsert = upsert
        self.sort = sort
        self.projection = projection
    }
}

/// Options of `aggregate`.
public struct AggregateOptions: Sendable {
    /// Documents per server round trip.
    public var batchSize: Int?
    /// Let stages spill to disk.
    public var allowDiskUse: Bool?
    /// A server-side time limit.
    public var maxTime: Duration?

    /// Creates aggregate options.
    public init(batchSize: Int? = nil, allowDiskUse: Bool? = nil, maxTime: Duration? = nil) {
        self.batchSize = batchSize
        self.allowDiskUse = allowDiskUse
        self.maxTime = maxTime
    }

    var document: Document {
        var document: Document = [:]
        if let batchSize { document["batchSize"] = .int64(Int64(batchSize)) }
        if let allowDiskUse { document["allowDiskUse"] = .bool(allowDiskUse) }
        if let maxTime { document["maxTimeMS"] = .int64(Int64(maxTime.clampedMilliseconds)) }
        return document
    }
}

/// An index to create.
public struct IndexModel: Sendable {
    /// The keys and their directions, such as `["status": 1, "startedAt": -1]`.
    public var keys: Document
    /// The index's name (default: derived from the keys, as the server does).
    public var name: String?
    /// Refuse a second document with the same key.
    public var unique: Bool
    /// Leave out documents that lack the indexed field.
    public var sparse: Bool
    /// Delete documents this long after the date in the (single) indexed field.
    public var expireAfter: Duration?
    /// Index only documents that match this filter.
    public var partialFilterExpression: Document?

    /// Creates an index description.
    public init(
        keys: Document, name: String? = nil, unique: Bool = false, sparse: Bool = false,
        expireAfter: Duration? = nil, partialFilterExpression: Document? = nil
    ) {
        self.keys = keys
        self.name = name
        self.unique = unique
        self.sparse = sparse
        self.expireAfter = expireAfter
        self.partialFilterExpression = partialFilterExpression
    }

    /// The name the server would give: keys and directions joined by underscores.
    var resolvedName: String {
        if let name { return name }
        return keys.map { key, value in
            let direction: String
            switch value {
            case .int32(let number): direction = String(number)
            case .int64(let number): direction = String(number)
            case .double(let number): direction = String(Int(number))
            case .string(let text): direction = text
            default: direction = "1"
            }
            return "\(key)_\(direction)"
        }.joined(separator: "_")
    }

    var document: Document {
        var document: Document = ["key": .document(keys), "name": .string(resolvedName)]
        if unique { document["unique"] = true }
        if sparse { document["sparse"] = true }
        if let expireAfter {
            document["expireAfterSeconds"] = .int64(Int64(expireAfter.components.seconds))
        }
        if let partialFilterExpression { document["partialFilterExpression"] = .document(partialFilterExpression) }
        return document
    }
}

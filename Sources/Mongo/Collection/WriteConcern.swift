/// How many servers must acknowledge a write before it counts as done.
public struct WriteConcern: Sendable, Hashable {
    /// The acknowledgement required.
    public enum Acknowledgement: Sendable, Hashable {
        /// A majority of data-bearing members.
        case majority
        /// This many members (0: unacknowledged, 1: the primary).
        case members(Int)
    }

    /// The acknowledgement required.
    public var acknowledgement: Acknowledgement
    /// Whether the write must be in the on-disk journal first.
    public var journal: Bool?
    /// How long to wait for the acknowledgement before reporting a write-concern error.
    public var timeout: Duration?

    /// Creates a write concern.
    public init(_ acknowledgement: Acknowledgement, journal: Bool? = nil, timeout: Duration? = nil) {
        self.acknowledgement = acknowledgement
        self.journal = journal
        self.timeout = timeout
    }

    /// Acknowledged by a majority and journaled: the durable choice.
    public static let majority = WriteConcern(.majority, journal: true)
    /// Acknowledged by the primary alone.
    public static let primary = WriteConcern(.members(1))

    var document: Document {
        var document: Document = [:]
        switch acknowledgement {
        case .majority: document["w"] = "majority"
        case .members(let count): document["w"] = .int32(Int32(clamping: count))
        }
        if let journal { document["j"] = .bool(journal) }
        if let timeout { document["wtimeout"] = .int64(Int64(timeout.clampedMilliseconds)) }
        return document
    }
}

/// Which version of the data reads may see.
public struct ReadConcern: Sendable, Hashable {
    /// The level's name as the server knows it.
    public var level: String

    /// Creates a read concern of the given level.
    public init(level: String) { self.level = level }

    /// The instance's most recent data, which may be rolled back.
    public static let local = ReadConcern(level: "local")
    /// Data acknowledged by a majority, which cannot be rolled back.
    public static let majority = ReadConcern(level: "majority")
    /// Majority-committed data reflecting every write acknowledged before the read began.
    public static let linearizable = ReadConcern(level: "linearizable")
    /// A snapshot, for transactions.
    public static let snapshot = ReadConcern(level: "snapshot")

    var document: Document { ["level": .string(level)] }
}

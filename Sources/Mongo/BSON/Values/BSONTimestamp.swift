/// A BSON timestamp: the internal MongoDB replication clock (seconds since the epoch plus an ordinal in that second).
///
/// Application dates belong in `Date` (BSON datetime); this type exists for oplog and cluster times.
public struct BSONTimestamp: Sendable, Hashable, Comparable {
    /// Seconds since the Unix epoch.
    public var timestamp: UInt32
    /// The ordinal of the operation within that second.
    public var increment: UInt32

    /// Creates a timestamp from its two parts.
    public init(timestamp: UInt32, increment: UInt32) {
        self.timestamp = timestamp
        self.increment = increment
    }

    /// Orders by seconds, then by increment.
    public static func < (lhs: BSONTimestamp, rhs: BSONTimestamp) -> Bool {
        (lhs.timestamp, lhs.increment) < (rhs.timestamp, rhs.increment)
    }
}

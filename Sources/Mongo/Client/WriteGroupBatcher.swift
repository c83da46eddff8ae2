/// Merges groups of writes of concurrent callers, each group made in its order and stopped at its first refusal,
/// into ordered bulk writes across collections (group commit for writes that must land in sequence).
///
/// A caller submits a group: writes to any collections of one deployment, of which each is to be made only if the
/// ones before it were (a step's business writes and the record of its outcome, say). Groups submitted while no bulk
/// write runs go out at once; the others wait and go out together, concatenated, in one ordered `bulkWrite`
/// (``MongoClient/bulkWrite(_:writeConcern:)``), with the sending policy of ``GroupCommitQueue``. An ordered bulk
/// write stops at its first failed write: the groups before it applied, and the groups after it, which were not sent,
/// go out with the next bulk write. The failed write's group learns that it was refused (a duplicate key, which is
/// how a compare-and-set sent as an upsert misses, a field its upsert could not set, or any other write error that
/// sending it again would not change), and the writes before it in the group applied; or, for a failure of the moment
/// (a failover, a shutdown), the error is thrown for the group to be sent again.
///
/// A bulk write whose write concern failed reports no group as applied: each one that did apply throws
/// `MongoError(.writeConcern)`, since it may still be rolled back.
public final class WriteGroupBatcher: Sendable {
    /// What happened to one submitted group.
    public enum Outcome: Sendable {
        /// Every write applied.
        case applied
        /// The write at the error's index in the group was refused for its condition: those before it applied,
        /// those after it were not made.
        case refused(BulkWriteError)
    }

    /// The server codes of a write that failed for the moment, not for what it asked (a primary stepping down or
    /// shutting down, a time limit, a write conflict, the network): thrown, to be sent again. Any other failure of a
    /// write refuses it (its condition did not hold, or the server will not take it as it is).
    static let transientCodes: Set<Int> = [
        6, 7, 50, 89, 91, 112, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436,
    ]

    private let queue: GroupCommitQueue<[NamespacedWrite], Outcome>

    /// Bulk writes sent so far.
    public var writes: Int {
        get async { await queue.writes }
    }

    /// A batcher sending through `client` under `writeConcern`: at most `maxBatch` groups per bulk write and
    /// `maxInFlight` bulk writes at once, a second one only while `parallelAfter` groups (a full batch unless given)
    /// wait; `onWrite` hears the number of groups each bulk write sends for the first time.
    public init(
        client: MongoClient, writeConcern: WriteConcern?, maxBatch: Int = 128, maxInFlight: Int = 2,
        parallelAfter: Int? = nil, onWrite: (@Sendable (_ batchSize: Int) -> Void)? = nil
    ) {
        queue = GroupCommitQueue(
            maxBatch: maxBatch, maxInFlight: maxInFlight, parallelAfter: parallelAfter, onWrite: onWrite
        ) { batch in
            await Self.write(batch, through: client, writeConcern: writeConcern)
        }
    }

    /// Sends `writes` with the next bulk write, in their order, and reports what happened to them.
    public func submit(_ writes: [NamespacedWrite]) async throws -> Outcome {
        precondition(!writes.isEmpty, "a group has at least one write")
        return try await queue.submit(writes)
    }

    /// One ordered bulk write of the groups of `batch`, each group's outcome.
    private static func write(_ batch: [[NamespacedWrite]], through client: MongoClient, writeConcern: WriteConcern?)
        async -> [GroupCommitQueue<[NamespacedWrite], Outcome>.Settlement]
    {
        var starts: [Int] = []
        var writes: [NamespacedWrite] = []
        for group in batch {
            starts.append(writes.count)
            writes += group
        }
        do {
            try await client.bulkWrite(writes, writeConcern: writeConcern)
            return batch.map { _ in .answered(.applied) }
        } catch let failure as BulkWriteFailure {
            // Ordered: at most one write failed, and nothing after it was made.
            let failed = failure.writeErrors.first
            let failedGroup = failed.map { error in starts.lastIndex { $0 <= error.index } ?? 0 }
            let undurable = failure.writeConcernError.map {
                MongoError(.writeConcern, message: "write concern not satisfied: \($0)")
            }
            return batch.indices.map { index in
                guard let failed, let failedGroup, index >= failedGroup else {
                    return undurable.map { .failed($0) } ?? .answered(.applied)
                }
                if index > failedGroup { return .unsent }
                var error = failed
                error.index -= starts[index]
                if transientCodes.contains(error.code) { return .failed(MongoError(refusal: error)) }
                // Writes of the group applied before the refused one, and may be rolled back: not a refusal to act on.
                if let undurable, error.index > 0 { return .failed(undurable) }
                return .answered(.refused(error))
            }
        } catch {
            return batch.map { _ in .failed(error) }
        }
    }
}

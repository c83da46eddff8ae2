/// Merges groups of writes of concurrent callers, each group made in its order and stopped at its first refusal,
/// into ordered bulk writes across collections (group commit for writes that must land in sequence).
///
/// A caller submits a group: writes to any collections of one deployment, of which each is to be made only if the
/// ones before it were (a step's business writes and the record of its outcome, say). Groups submitted while no bulk
/// write runs go out at once; the others wait and go out together, concatenated, in one ordered `bulkWrite`
/// (``MongoClient/bulkWrite(_:writeConcern:)``), with the sending policy of ``WriteBatcher``. An ordered bulk write
/// stops at its first failed write. When that write was refused for its condition (a duplicate key, which is how a
/// compare-and-set sent as an upsert misses, or a field its upsert could not set), the groups before it applied, its
/// group learns which write was refused, and the groups after it, which were not sent, go out with the next bulk
/// write. Any other failure (a failover, a shutdown) is thrown to its group and to every group after it.
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

    /// The server codes of a write refused for its condition: a duplicate key, a field an upsert's insert cannot
    /// set (`PathNotViable`), an immutable field it would change.
    static let conditionCodes: Set<Int> = [11000, 28, 66]

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
            let refused = failed.map { conditionCodes.contains($0.code) } ?? false
            return batch.indices.map { index in
                if let failedGroup, let failed, index >= failedGroup {
                    if index > failedGroup { return refused ? .unsent : .failed(MongoError(refusal: failed)) }
                    guard refused else { return .failed(MongoError(refusal: failed)) }
                    var error = failed
                    error.index -= starts[index]
                    return .answered(.refused(error))
                }
                if let concern = failure.writeConcernError {
                    return .failed(MongoError(.writeConcern, message: "write concern not satisfied: \(concern)"))
                }
                return .answered(.applied)
            }
        } catch {
            return batch.map { _ in .failed(error) }
        }
    }
}

/// Merges the single writes of concurrent callers to one collection into unordered bulk writes (group commit, with
/// the sending policy of ``GroupCommitQueue``).
///
/// Each caller learns what happened to its own write: applied (with the `_id` an upsert inserted, if any) or
/// refused by the server (its write error, such as a duplicate key). A conditional update that must know whether it
/// matched is sent as an upsert filtered by `_id`: a miss then collides with the existing document's `_id`, and that
/// duplicate-key refusal is the answer (``compareAndSet(filter:update:)``).
///
/// A bulk write whose write concern failed reports no write as applied: each one that did apply throws
/// `MongoError(.writeConcern)`, since it may still be rolled back.
public final class WriteBatcher<T: Codable & Sendable>: Sendable {
    /// What happened to one submitted write.
    public enum Outcome: Sendable {
        /// Written; `upsertedId` is the `_id` of the document an upsert inserted.
        case applied(upsertedId: BSONValue?)
        /// The server refused this write (the others of its batch are unaffected).
        case refused(BulkWriteError)
    }

    /// What a compare-and-set did.
    public enum CompareAndSetOutcome: Sendable, Equatable {
        /// The document matched the filter and was updated.
        case applied
        /// The document exists but did not match the filter; nothing changed.
        case conditionFailed
        /// No document has the filter's `_id`; the upsert inserted one with this `_id`, which the caller removes.
        case inserted(BSONValue)
    }

    private let queue: GroupCommitQueue<WriteModel<T>, Outcome>

    /// Bulk writes sent so far.
    public var writes: Int {
        get async { await queue.writes }
    }

    /// A batcher for `collection`: at most `maxBatch` writes per bulk write and `maxInFlight` bulk writes at once, a
    /// second one only while `parallelAfter` writes (a full batch unless given) wait; `onWrite` hears the size of each
    /// bulk write as it is sent.
    public init(
        _ collection: MongoCollection<T>, maxBatch: Int = 256, maxInFlight: Int = 2, parallelAfter: Int? = nil,
        onWrite: (@Sendable (_ batchSize: Int) -> Void)? = nil
    ) {
        queue = GroupCommitQueue(
            maxBatch: maxBatch, maxInFlight: maxInFlight, parallelAfter: parallelAfter, onWrite: onWrite
        ) { batch in
            await Self.write(batch, to: collection)
        }
    }

    /// Sends `model` with the next bulk write and reports what happened to it.
    public func submit(_ model: WriteModel<T>) async throws -> Outcome {
        try await queue.submit(model)
    }

    /// Updates the document `filter` names by `_id` if it also matches the rest of `filter`.
    ///
    /// Sent as an upsert so that a batch reports each outcome: a miss on an existing document is a duplicate-key
    /// refusal. A missing document is inserted by the upsert; the caller removes it (``CompareAndSetOutcome/inserted(_:)``).
    public func compareAndSet(filter: Document, update: Document) async throws -> CompareAndSetOutcome {
        precondition(filter["_id"] != nil, "a compare-and-set is filtered by _id")
        switch try await submit(.updateOne(filter: filter, update: update, upsert: true)) {
        case .applied(let upserted?): return .inserted(upserted)
        case .applied(nil): return .applied
        case .refused(let error) where error.kind == .duplicateKey: return .conditionFailed
        case .refused(let error):
            throw MongoError(refusal: error)
        }
    }

    /// One unordered bulk write of `batch`, each write's outcome.
    private static func write(_ batch: [WriteModel<T>], to collection: MongoCollection<T>) async
        -> [GroupCommitQueue<WriteModel<T>, Outcome>.Settlement]
    {
        let upserted: [Int: BSONValue]
        var refused: [Int: BulkWriteError] = [:]
        var undurable: String?
        do {
            upserted = try await collection.bulkWrite(batch, ordered: false).upsertedIds
        } catch let failure as BulkWriteFailure {
            upserted = failure.result.upsertedIds
            for error in failure.writeErrors where refused[error.index] == nil { refused[error.index] = error }
            undurable = failure.writeConcernError.map { "write concern not satisfied: \($0)" }
        } catch {
            return batch.map { _ in .failed(error) }
        }
        return batch.indices.map { index in
            if let error = refused[index] { return .answered(.refused(error)) }
            if let undurable { return .failed(MongoError(.writeConcern, message: undurable)) }
            return .answered(.applied(upsertedId: upserted[index]))
        }
    }
}

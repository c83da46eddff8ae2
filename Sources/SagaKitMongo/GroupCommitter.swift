import Metrics
import Mongo
import SagaKit

/// Merges the appends of concurrent sagas into one bulk write (group commit).
///
/// An append that arrives while no write is in flight goes out at once, alone; appends that arrive
/// while one is in flight wait for it and then go out together, up to `maxBatch` per write. Under
/// load this turns N sagas' appends into one round trip without adding latency when idle.
actor GroupCommitter {
    private typealias Pending = (request: AppendRequest, continuation: CheckedContinuation<AppendOutcome, any Error>)

    /// What happened to one append in a batch.
    enum AppendOutcome: Sendable {
        /// Written.
        case applied
        /// A condition (seq, lease or inbox count) did not hold; nothing was written.
        case conditionFailed
        /// There is no such saga (the write's upsert found nothing and its stray document was removed).
        case missing
    }

    private let sagas: MongoCollection<Document>
    private let maxBatch: Int
    private var pending: [Pending] = []
    private var isFlushing = false
    private(set) var writes = 0

    /// Appends submitted (`saga_history_appends_total`).
    static let appendsCounter = Counter(label: "saga_history_appends_total")
    /// Bulk writes that carried them (`saga_history_append_writes_total`); fewer than appends under load.
    static let writesCounter = Counter(label: "saga_history_append_writes_total")
    /// Appends per bulk write (`saga_history_append_batch_size`).
    static let batchSize = Recorder(label: "saga_history_append_batch_size", aggregate: true)

    init(sagas: MongoCollection<Document>, maxBatch: Int = 256) {
        self.sagas = sagas
        self.maxBatch = maxBatch
    }

    /// Sends `request` with the next batch and reports whether its conditions held.
    func submit(_ request: AppendRequest) async throws -> AppendOutcome {
        try await withCheckedThrowingContinuation { continuation in
            pending.append((request, continuation))
            if !isFlushing {
                isFlushing = true
                Task { await flush() }
            }
        }
    }

    private func flush() async {
        while !pending.isEmpty {
            let batch = Array(pending.prefix(maxBatch))
            pending.removeFirst(batch.count)
            await write(batch)
        }
        isFlushing = false
    }

    private func write(_ batch: [Pending]) async {
        writes += 1
        Self.appendsCounter.increment(by: batch.count)
        Self.writesCounter.increment()
        Self.batchSize.record(batch.count)
        let models: [WriteModel<Document>] = batch.map { item in
            let (filter, update) = SagaDocument.append(item.request)
            return .updateOne(filter: filter, update: update, upsert: true)
        }
        do {
            let result = try await sagas.bulkWrite(models, ordered: false)
            await resolve(batch, upserted: result.upsertedIds, failed: [:])
        } catch let failure as BulkWriteFailure {
            let failed = Dictionary(failure.writeErrors.map { ($0.index, $0) }, uniquingKeysWith: { first, _ in first })
            let undurable = failure.writeConcernError.map { "write concern not satisfied: \($0)" }
            await resolve(batch, upserted: failure.result.upsertedIds, failed: failed, undurable: undurable)
        } catch {
            let reason = "\(error)"
            batch.forEach { $0.continuation.resume(throwing: HistoryStoreError.unavailable(reason)) }
        }
    }

    /// Answers each append of a written batch: applied, failed on its conditions, missing, or failed outright.
    ///
    /// With a write-concern error (`undurable`) no append counts as applied: one that did apply on the primary may
    /// still be rolled back, so it fails as unavailable and the engine's retry finds out ("already written").
    private func resolve(
        _ batch: [Pending], upserted: [Int: BSONValue], failed: [Int: BulkWriteError], undurable: String? = nil
    ) async {
        if !upserted.isEmpty {
            // An upsert that inserted means the saga did not exist; remove the stray document it made.
            let strays = Array(upserted.values)
            _ = try? await sagas.deleteMany(filter: [
                "_id": ["$in": .array(strays)], SagaDocument.Field.definition: ["$exists": false],
            ])
        }
        for (index, item) in batch.enumerated() {
            if upserted[index] != nil {
                item.continuation.resume(returning: .missing)
                continue
            }
            guard let error = failed[index] else {
                if let undurable {
                    item.continuation.resume(
                        throwing: HistoryStoreError.unavailable("append to saga \(item.request.sagaId): \(undurable)"))
                } else {
                    item.continuation.resume(returning: .applied)
                }
                continue
            }
            if error.kind == .duplicateKey {
                item.continuation.resume(returning: .conditionFailed)
            } else {
                item.continuation.resume(
                    throwing: HistoryStoreError.unavailable(
                        "append to saga \(item.request.sagaId) failed: \(error.message)"))
            }
        }
    }
}

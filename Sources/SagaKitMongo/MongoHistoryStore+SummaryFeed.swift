import Foundation
import Mongo
import SagaKit
import Synchronization

extension MongoHistoryStore: SagaSummaryFeed {
    /// Follows the `sagas` collection's change stream from `position` (a resume token's `_data`), and every
    /// `interval` reads the summaries of the sagas that changed in one `_id: {$in}` query; reads nothing while no
    /// saga changes.
    ///
    /// A position the server cannot resume from (older than its oplog, or malformed) yields ``SagaSummaryChanges/reset``
    /// first and continues from now.
    public func summaryChanges(after position: String?) -> AsyncThrowingStream<SagaSummaryChanges, any Error> {
        summaryChanges(after: position, interval: .milliseconds(250))
    }

    /// ``summaryChanges(after:)`` with batches at most every `interval`.
    func summaryChanges(after position: String?, interval: Duration) -> AsyncThrowingStream<
        SagaSummaryChanges, any Error
    > {
        let pending = ChangedSagas()
        return AsyncThrowingStream { continuation in
            let follower = Task {
                do {
                    let stream = try await openSummaryStream(after: position, continuation: continuation)
                    defer { stream.close() }
                    for try await change in stream {
                        guard let id = change.documentKey?["_id"]?.stringValue else { continue }
                        pending.note(id, token: change.resumeToken)
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            let reader = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: interval)
                    let batch = pending.take()
                    guard !batch.ids.isEmpty else { continue }
                    do {
                        let found = try await summaries(sagaIds: batch.ids)
                        let position = batch.token?["_data"]?.stringValue
                        continuation.yield(.changed(batch.ids.compactMap { found[$0] }, position: position))
                    } catch {
                        continuation.finish(throwing: error)
                    }
                }
            }
            continuation.onTermination = { _ in
                follower.cancel()
                reader.cancel()
            }
        }
    }

    /// The change stream of saga keys after `position`; when the server refuses that position, a reset on
    /// `continuation` and a stream from now.
    private func openSummaryStream(
        after position: String?, continuation: AsyncThrowingStream<SagaSummaryChanges, any Error>.Continuation
    ) async throws -> ChangeStream<ChangeEvent<Document>> {
        let pipeline: [Document] = [
            // New sagas, and updates of the summary (an append sets `updatedAt`); not lease renewals or releases.
            [
                "$match": [
                    "$or": [
                        ["operationType": ["$in": ["insert", "replace"]]],
                        ["updateDescription.updatedFields.\(SagaDocument.Field.updatedAt)": ["$exists": true]],
                        ["updateDescription.updatedFields.\(SagaDocument.Field.status)": ["$exists": true]],
                    ]
                ]
            ],
            ["$project": ["documentKey": 1, "operationType": 1]],
        ]
        let options = ChangeStreamOptions(maxAwaitTime: .milliseconds(500))
        if let position {
            var resuming = options
            resuming.resumeAfter = ["_data": .string(position)]
            do {
                return try await sagas.watch(pipeline, options: resuming, as: ChangeEvent<Document>.self)
            } catch let error as MongoError where error.kind == .command {
                // The server refused the position (malformed, or older than its oplog): start from now.
                continuation.yield(.reset)
            }
        }
        return try await sagas.watch(pipeline, options: options, as: ChangeEvent<Document>.self)
    }
}

/// The sagas that changed since the last batch, in order of their first change, and the resume token after them.
private final class ChangedSagas: Sendable {
    private let state = Mutex<(ids: [String], seen: Set<String>, token: Document?)>(([], [], nil))

    /// Notes that saga `id` changed, the change stream being at `token` after it.
    func note(_ id: String, token: Document?) {
        state.withLock { state in
            if state.seen.insert(id).inserted { state.ids.append(id) }
            state.token = token
        }
    }

    /// The changed sagas and the token after them, forgetting them.
    func take() -> (ids: [String], token: Document?) {
        state.withLock { state in
            defer { state = ([], [], nil) }
            return (state.ids, state.token)
        }
    }
}

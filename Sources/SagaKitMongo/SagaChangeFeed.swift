import Foundation
import Logging
import Mongo
import SagaKit
import Synchronization

/// Wakes watchers of a saga when its document changes, here or in another process.
///
/// Appends made through this store notify directly; changes made by other processes arrive through
/// one change stream on the `sagas` collection, shared by every watcher and open only while someone
/// watches. A watcher also wakes on a timeout, so a deployment without change streams still works
/// (by polling) and a missed notification costs at most that long.
final class SagaChangeFeed: Sendable {
    private struct Subscriber {
        var sagaId: String
        var pending = false
        var continuation: CheckedContinuation<Void, Never>?
    }

    private struct State {
        var subscribers: [UInt64: Subscriber] = [:]
        var nextID: UInt64 = 0
        var streamTask: Task<Void, Never>?
    }

    private let state = Mutex(State())
    private let sagas: MongoCollection<Document>
    private let logger: Logger

    init(sagas: MongoCollection<Document>, logger: Logger) {
        self.sagas = sagas
        self.logger = logger
    }

    /// Registers interest in `sagaId`; changes from now on are not missed, even between waits.
    func subscribe(to sagaId: String) -> UInt64 {
        state.withLock { state in
            state.nextID += 1
            state.subscribers[state.nextID] = Subscriber(sagaId: sagaId)
            if state.streamTask == nil {
                state.streamTask = Task { [weak self] in await self?.followChangeStream() }
            }
            return state.nextID
        }
    }

    /// Removes a subscription; the change stream closes with the last one.
    func unsubscribe(_ id: UInt64) {
        let (continuation, task) = state.withLock { state -> (CheckedContinuation<Void, Never>?, Task<Void, Never>?) in
            let removed = state.subscribers.removeValue(forKey: id)
            var task: Task<Void, Never>?
            if state.subscribers.isEmpty {
                task = state.streamTask
                state.streamTask = nil
            }
            return (removed?.continuation, task)
        }
        continuation?.resume()
        task?.cancel()
    }

    /// Waits until the subscribed saga changes (or changed since the last wait), or `timeout` passes.
    func wait(_ id: UInt64, timeout: Duration) async {
        _ = await DeadlineTimer.system.race(timeout) { await self.park(id) }
        wake(id)
    }

    /// Wakes every subscriber of `sagaId`.
    func notify(_ sagaId: String) {
        let continuations = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            var woken: [CheckedContinuation<Void, Never>] = []
            for (id, subscriber) in state.subscribers where subscriber.sagaId == sagaId {
                if let continuation = subscriber.continuation {
                    woken.append(continuation)
                    state.subscribers[id]?.continuation = nil
                } else {
                    state.subscribers[id]?.pending = true
                }
            }
            return woken
        }
        continuations.forEach { $0.resume() }
    }

    private func park(_ id: UInt64) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    guard var subscriber = state.subscribers[id], !Task.isCancelled else { return true }
                    if subscriber.pending {
                        subscriber.pending = false
                        state.subscribers[id] = subscriber
                        return true
                    }
                    subscriber.continuation = continuation
                    state.subscribers[id] = subscriber
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            wake(id)
        }
    }

    /// Resumes a parked subscriber without marking a change (used on timeout and cancellation).
    private func wake(_ id: UInt64) {
        let continuation = state.withLock { state -> CheckedContinuation<Void, Never>? in
            defer { state.subscribers[id]?.continuation = nil }
            return state.subscribers[id]?.continuation
        }
        continuation?.resume()
    }

    /// Follows the collection's change stream while anyone watches, reopening it after errors.
    private func followChangeStream() async {
        var resumeToken: Document?
        while !Task.isCancelled {
            do {
                let stream = try await sagas.watch(
                    [
                        ["$match": ["operationType": ["$in": ["insert", "update", "replace"]]]],
                        ["$project": ["documentKey": 1, "operationType": 1]],
                    ],
                    options: ChangeStreamOptions(resumeAfter: resumeToken, maxAwaitTime: .milliseconds(500)),
                    as: ChangeEvent<Document>.self)
                defer { stream.close() }
                for try await change in stream {
                    resumeToken = change.resumeToken
                    if let sagaId = change.documentKey?["_id"]?.stringValue { notify(sagaId) }
                }
            } catch {
                logger.debug(
                    "saga change stream interrupted; watchers poll until it reopens", metadata: ["error": "\(error)"])
                resumeToken = nil
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }
}

import Foundation
import Logging
import Mongo
import SagaKit
import Synchronization

/// Wakes watchers of a saga when its document changes, here or in another process.
///
/// Appends made through this store reach watchers directly; changes made by other processes arrive through
/// one change stream on the `sagas` collection, shared by every watcher, open while someone watches (and for
/// `linger` after, so watchers that come and go do not reopen it each time). A change that carries the saga's
/// `seq` wakes only subscribers that have not seen it, and the stream asks the server for more at most every
/// `pollInterval`: under load its cost is bounded by time, not by the number of changes. A watcher also wakes on
/// a timeout, so a deployment without change streams still works (by polling) and a missed notification costs at
/// most that long.
final class SagaChangeFeed: Sendable {
    private struct Subscriber {
        var sagaId: String
        /// The saga's `seq` this subscriber has seen; changes up to it wake no one.
        var seen: Int64 = 0
        /// The `seq` of changes reported while the subscriber was not waiting (`Int64.max`: a change that did not
        /// say; 0: none); its next wait returns at once unless it has seen them by then.
        var pendingUpTo: Int64 = 0
        var continuation: CheckedContinuation<Void, Never>?
    }

    private struct State {
        var subscribers: [UInt64: Subscriber] = [:]
        var nextID: UInt64 = 0
        var streamTask: Task<Void, Never>?
        /// Counts the times the last subscriber left, so a lingering close knows whether someone came back.
        var departures: UInt64 = 0
        /// This process's appends in flight: the `seq` each brings its saga to.
        var ownAppends: [String: Int64] = [:]
    }

    private let state = Mutex(State())
    private let sagas: MongoCollection<Document>
    private let logger: Logger
    private let linger: Duration
    private let pollInterval: Duration

    init(
        sagas: MongoCollection<Document>, linger: Duration = .seconds(30), pollInterval: Duration = .milliseconds(100),
        logger: Logger
    ) {
        self.sagas = sagas
        self.linger = linger
        self.pollInterval = pollInterval
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

    /// Removes a subscription; the change stream closes `linger` after the last one, unless someone subscribes.
    func unsubscribe(_ id: UInt64) {
        let (continuation, departure) = state.withLock { state -> (CheckedContinuation<Void, Never>?, UInt64?) in
            let removed = state.subscribers.removeValue(forKey: id)
            guard state.subscribers.isEmpty else { return (removed?.continuation, nil) }
            state.departures += 1
            return (removed?.continuation, state.departures)
        }
        continuation?.resume()
        guard let departure else { return }
        Task { [weak self, linger] in
            try? await Task.sleep(for: linger)
            self?.closeIfUnused(since: departure)
        }
    }

    /// Marks an append of this process that brings `sagaId` to `seq` as in flight: the change stream may report it
    /// before the append returns, and that report wakes no one (the append hands its events over itself).
    func appending(_ sagaId: String, upTo seq: Int64) {
        state.withLock { $0.ownAppends[sagaId] = seq }
    }

    /// Ends what ``appending(_:upTo:)`` began, once the append's events are handed over (or it failed).
    func appendEnded(_ sagaId: String) {
        state.withLock { _ = $0.ownAppends.removeValue(forKey: sagaId) }
    }

    /// Records that a subscriber has seen its saga up to `seq`.
    func seen(_ id: UInt64, upTo seq: Int64) {
        state.withLock { state in
            if let seen = state.subscribers[id]?.seen, seen < seq { state.subscribers[id]?.seen = seq }
        }
    }

    /// Closes the change stream if nobody subscribed since the last subscriber left (`departure`).
    private func closeIfUnused(since departure: UInt64) {
        let task = state.withLock { state -> Task<Void, Never>? in
            guard state.subscribers.isEmpty, state.departures == departure else { return nil }
            defer { state.streamTask = nil }
            return state.streamTask
        }
        task?.cancel()
    }

    /// Waits until the subscribed saga changes (or changed since the last wait), or `timeout` passes.
    func wait(_ id: UInt64, timeout: Duration) async {
        _ = await DeadlineTimer.system.race(timeout) { await self.park(id) }
        wake(id)
    }

    /// Wakes every subscriber of `sagaId` (with `seq`, only those that have not seen it).
    func notify(_ sagaId: String, seq: Int64? = nil) {
        let continuations = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            var woken: [CheckedContinuation<Void, Never>] = []
            if let seq, let own = state.ownAppends[sagaId], seq <= own { return woken }
            for (id, subscriber) in state.subscribers where subscriber.sagaId == sagaId {
                if let seq, seq <= subscriber.seen { continue }
                if let continuation = subscriber.continuation {
                    woken.append(continuation)
                    state.subscribers[id]?.continuation = nil
                } else {
                    state.subscribers[id]?.pendingUpTo = max(subscriber.pendingUpTo, seq ?? .max)
                }
            }
            return woken
        }
        continuations.forEach { $0.resume() }
    }

    /// What a change did to a saga's events.
    private enum EventsAdded {
        /// None: an update that leaves `seq` alone (a lease, a signal).
        case none
        /// Events up to this `seq` (an insert, or an append, which always sets `seq`).
        case upTo(Int64)
        /// The change does not say.
        case unknown
    }

    private static func eventsAdded(by change: ChangeEvent<Document>) -> EventsAdded {
        if let seq = change.fullDocument?["seq"]?.int64Value { return .upTo(seq) }
        guard change.operationType == "update", let fields = change.updateDescription?.updatedFields else {
            return .unknown
        }
        return fields["seq"]?.int64Value.map(EventsAdded.upTo) ?? .none
    }

    private func park(_ id: UInt64) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    guard var subscriber = state.subscribers[id], !Task.isCancelled else { return true }
                    let unseen = subscriber.pendingUpTo > subscriber.seen
                    subscriber.pendingUpTo = 0
                    if unseen {
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
    ///
    /// A `next()` that took a round trip is followed by a pause of `pollInterval`, so the stream asks the server for
    /// more changes at most that often, however many there are (the ones it brought meanwhile come from its buffer).
    private func followChangeStream() async {
        var resumeToken: Document?
        let clock = ContinuousClock()
        while !Task.isCancelled {
            do {
                let stream = try await sagas.watch(
                    [
                        ["$match": ["operationType": ["$in": ["insert", "update", "replace"]]]],
                        [
                            "$project": [
                                "documentKey": 1, "operationType": 1, "fullDocument.seq": 1,
                                "updateDescription.updatedFields.seq": 1,
                            ]
                        ],
                    ],
                    options: ChangeStreamOptions(resumeAfter: resumeToken, maxAwaitTime: .milliseconds(500)),
                    as: ChangeEvent<Document>.self)
                defer { stream.close() }
                var changes = stream.makeAsyncIterator()
                while true {
                    let asked = clock.now
                    guard let change = try await changes.next() else { break }
                    resumeToken = change.resumeToken
                    if let sagaId = change.documentKey?["_id"]?.stringValue {
                        switch Self.eventsAdded(by: change) {
                        case .none: break
                        case .upTo(let seq): notify(sagaId, seq: seq)
                        case .unknown: notify(sagaId)
                        }
                    }
                    if clock.now - asked > .milliseconds(1) { try await Task.sleep(for: pollInterval) }
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

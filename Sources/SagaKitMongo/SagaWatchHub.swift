import Foundation
import SagaKit
import Synchronization

/// Shares one read of a saga among everyone watching it: one tail per watched saga reads the events after the
/// furthest-behind watcher when a watcher joins or another process changes the saga (the change stream), and hands
/// each watcher the events it has not seen. This process's own appends reach the watchers straight from the append
/// (``appended(_:events:terminal:)``), with no read. While nothing changes it reads nothing, but for a safety read
/// every `idleRead`, so a hundred open streams on one saga cost what one does.
final class SagaWatchHub: Sendable {
    typealias Read =
        @Sendable (_ sagaId: String, _ after: Int64) async throws -> (events: [HistoryEvent], status: SagaStatus)

    private struct Watcher {
        let continuation: AsyncThrowingStream<HistoryEvent, any Error>.Continuation
        var last: Int64
    }

    private struct Tail {
        var watchers: [UInt64: Watcher] = [:]
        var task: Task<Void, Never>?
        /// The tail's subscription to the change feed, once it has one.
        var subscription: UInt64?
    }

    private struct State {
        var tails: [String: Tail] = [:]
        var nextId: UInt64 = 0
    }

    private let state = Mutex(State())
    private let reads = Atomic<Int>(0)
    private let changes: SagaChangeFeed
    private let idleRead: Duration
    private let read: Read

    init(changes: SagaChangeFeed, idleRead: Duration, read: @escaping Read) {
        self.changes = changes
        self.idleRead = idleRead
        self.read = read
    }

    /// Every event of `sagaId` after `seq`, as it is recorded, until the saga is terminal.
    func watch(sagaId: String, after seq: Int64) -> AsyncThrowingStream<HistoryEvent, any Error> {
        AsyncThrowingStream { continuation in
            // Joining and starting the tail happen under one lock, so one saga never has two tails.
            let (id, started) = state.withLock { state -> (UInt64, Bool) in
                state.nextId += 1
                var tail = state.tails[sagaId, default: Tail()]
                tail.watchers[state.nextId] = Watcher(continuation: continuation, last: seq)
                let starting = tail.task == nil
                if starting { tail.task = Task { await self.follow(sagaId) } }
                state.tails[sagaId] = tail
                return (state.nextId, starting)
            }
            continuation.onTermination = { [weak self] _ in self?.leave(sagaId, id) }
            // A tail already running may be waiting: a newcomer needs its history now.
            if !started { changes.notify(sagaId) }
        }
    }

    /// Hands events this process just appended to `sagaId` to its watchers, without reading them back.
    ///
    /// A watcher that is behind the events (it has not seen the one before the first) is served by its tail's next
    /// read instead; the change stream's report of this append later wakes no one, since every watcher has it.
    func appended(_ sagaId: String, events: [HistoryEvent], terminal: Bool) {
        guard let first = events.first, state.withLock({ $0.tails[sagaId] != nil }) else { return }
        switch deliver(events, after: first.seq - 1, of: sagaId, terminal: terminal) {
        case .done, .waiting: break
        case .behind: changes.notify(sagaId)
        }
    }

    /// How many sagas have a tail (for tests).
    var tailCount: Int { state.withLock { $0.tails.count } }

    /// How many reads the tails have made (for tests: what watching costs the store).
    var readCount: Int { reads.load(ordering: .relaxed) }

    private func leave(_ sagaId: String, _ id: UInt64) {
        let task = state.withLock { state -> Task<Void, Never>? in
            state.tails[sagaId]?.watchers[id] = nil
            guard state.tails[sagaId]?.watchers.isEmpty == true else { return nil }
            return state.tails.removeValue(forKey: sagaId)?.task
        }
        task?.cancel()
    }

    /// The tail of one saga: read after the furthest-behind watcher, hand out, wait for a change (at once again when
    /// a watcher joined behind the read).
    private func follow(_ sagaId: String) async {
        let subscription = changes.subscribe(to: sagaId)
        defer { changes.unsubscribe(subscription) }
        state.withLock { $0.tails[sagaId]?.subscription = subscription }
        while !Task.isCancelled {
            guard let from = state.withLock({ $0.tails[sagaId]?.watchers.values.map(\.last).min() }) else { return }
            let outcome: Delivery
            do {
                reads.add(1, ordering: .relaxed)
                let (events, status) = try await read(sagaId, from)
                outcome = deliver(events, after: from, of: sagaId, terminal: status.isTerminal)
            } catch {
                // A tail is cancelled only once it has no watcher left, and by then a new tail may stand in its place
                // for watchers that came since: failing "the" tail of the saga would fail theirs.
                if !Task.isCancelled { finish(sagaId, throwing: error) }
                return
            }
            switch outcome {
            case .done: return
            case .behind: continue
            case .waiting: await changes.wait(subscription, timeout: idleRead)
            }
        }
    }

    private enum Delivery { case done, behind, waiting }

    /// Hands each watcher the events after its last; ends the streams of those served to the end of a terminal
    /// saga. A watcher that joined behind the read (its last below `from`) gets nothing now and is served next.
    /// Tells the change feed how far every watcher got, so a report of what they have wakes no one; ends the tail
    /// once no watcher is left.
    private func deliver(_ events: [HistoryEvent], after from: Int64, of sagaId: String, terminal: Bool) -> Delivery {
        typealias Handed = (AsyncThrowingStream<HistoryEvent, any Error>.Continuation, [HistoryEvent], Bool)
        let (handed, outcome, ended) = state.withLock { state -> ([Handed], Delivery, Task<Void, Never>?) in
            guard var tail = state.tails[sagaId] else { return ([], .done, nil) }
            var handed: [Handed] = []
            var behind = false
            for (id, watcher) in tail.watchers {
                guard watcher.last >= from else {
                    behind = true
                    continue
                }
                let fresh = events.filter { $0.seq > watcher.last }
                handed.append((watcher.continuation, fresh, terminal))
                if terminal {
                    tail.watchers[id] = nil
                } else {
                    tail.watchers[id]?.last = fresh.last?.seq ?? watcher.last
                }
            }
            if tail.watchers.isEmpty {
                state.tails[sagaId] = nil
                return (handed, .done, tail.task)
            }
            state.tails[sagaId] = tail
            if let subscription = tail.subscription, let least = tail.watchers.values.map(\.last).min() {
                changes.seen(subscription, upTo: least)
            }
            return (handed, behind ? .behind : .waiting, nil)
        }
        for (continuation, fresh, ends) in handed {
            for event in fresh { continuation.yield(event) }
            if ends { continuation.finish() }
        }
        // A tail ended by an append is parked in a wait: stop it (one that ends itself returns anyway).
        ended?.cancel()
        return outcome
    }

    private func finish(_ sagaId: String, throwing error: any Error) {
        let watchers = state.withLock {
            $0.tails.removeValue(forKey: sagaId)?.watchers.values.map(\.continuation) ?? []
        }
        for continuation in watchers { continuation.finish(throwing: error) }
    }
}

import Foundation
import Synchronization

/// Which sagas this executor holds, the starts in progress and the starts waiting for a slot, behind one lock.
///
/// Starting a saga and a runner's exit touch only this book, so the common path never waits for a turn on the
/// engine actor; the actor keeps what only the scheduler and the commands touch (timers, quarantine).
final class EngineSlots: Sendable {
    /// A saga this executor holds (or is acquiring), and the runner driving it once one runs.
    struct HeldSaga {
        let token: Int
        var task: Task<Void, Never>?
    }

    private struct State {
        var held: [String: HeldSaga] = [:]
        var lastToken = 0
        var startReservations = 0
        /// Ids being started, with the starts waiting behind them (oldest first).
        var starting: [String: [CheckedContinuation<Void, Never>]] = [:]
        /// Sagas started while every slot was taken, recorded without a lease; claimed in order as slots free up
        /// (one whose id is still being started here waits for that start to end).
        var queuedStarts: [SagaRecord] = []
        /// Whether due sagas may wait in the store that no queued start stands for (starts past the queue's bound, a
        /// claim other than a queued start's that found no free slot, a poll that filled its page, a freed slot's poll
        /// that failed or found no free slot): a freed slot then polls for them.
        var moreDue = false
        /// How many wake-ups the free slots were given: slots freed (a runner ended, a claim other than a due-saga
        /// poll's failed, a start ended without a runner) and marks set (`moreDue`, or a queued start put back) other
        /// than at a poll's end. A poll compares it at its end with its start: a wake-up that came while it ran may
        /// have found nothing to act on, its slot held by the poll's claims or its mark not set yet.
        var wakeUps = 0
        /// Sagas to look at again as soon as their runner lets go (a signal arrived meanwhile).
        var recheck: Set<String> = []
        /// How many held sagas have a runner (the others are claims waiting for their lease).
        var running = 0
        /// Who waits for the last runner to end.
        var drainWaiters: [CheckedContinuation<Void, Never>] = []
        /// Who waits for the last held saga (runner or claim) to be let go.
        var idleWaiters: [CheckedContinuation<Void, Never>] = []

        var freeSlots: Int { capacity - held.count - startReservations }
        let capacity: Int

        mutating func nextToken() -> Int {
            lastToken += 1
            return lastToken
        }

        /// Lets go of `sagaId` (counted as a slot freed unless `countingAsFreed` is false); returns who waited for what
        /// that ended: the last runner, the last held saga.
        mutating func remove(_ sagaId: String, countingAsFreed: Bool) -> [CheckedContinuation<Void, Never>] {
            guard let removed = held.removeValue(forKey: sagaId) else { return [] }
            if countingAsFreed { wakeUps += 1 }
            if removed.task != nil { running -= 1 }
            var woken: [CheckedContinuation<Void, Never>] = []
            if running == 0 {
                woken += drainWaiters
                drainWaiters = []
            }
            if held.isEmpty {
                woken += idleWaiters
                idleWaiters = []
            }
            return woken
        }
    }

    /// What ``claim(_:known:)`` found.
    enum Claim {
        /// The saga is reserved under this token.
        case reserved(token: Int)
        /// It is held or being started here; it is looked at again when that ends.
        case busy
        /// No slot is free.
        case full
    }

    /// What ``finish(_:token:needsEngine:)`` did.
    enum Finish {
        /// The runner was not the saga's current one; nothing changed.
        case stale
        /// The saga is let go.
        case released
        /// The engine must let it go on its own turn (a timer, a quarantine or a recheck follows).
        case needsEngine
    }

    private let state: Mutex<State>
    /// How many sagas the book remembers to claim after starts that found every slot taken.
    let maxQueuedStarts: Int
    /// Told, under the lock, of each saga let go (before anyone may take it again).
    private let letGo: @Sendable (String) -> Void
    /// Told how many sagas are held whenever that changes, under the lock (so reports arrive in order).
    private let heldCountChanged: @Sendable (Int) -> Void

    init(
        capacity: Int, letGo: @escaping @Sendable (String) -> Void = { _ in },
        heldCountChanged: @escaping @Sendable (Int) -> Void = { _ in }
    ) {
        state = Mutex(State(capacity: capacity))
        maxQueuedStarts = 4 * capacity
        self.letGo = letGo
        self.heldCountChanged = heldCountChanged
    }

    /// Lets go of `sagaId` and reports it; returns who waited for the last runner to end, when it was the last.
    private func remove(_ sagaId: String, from state: inout State, countingAsFreed: Bool = true)
        -> [CheckedContinuation<Void, Never>]
    {
        let drained = state.remove(sagaId, countingAsFreed: countingAsFreed)
        letGo(sagaId)
        heldCountChanged(state.held.count)
        return drained
    }

    var heldCount: Int { state.withLock { $0.held.count } }
    var freeSlots: Int { state.withLock { $0.freeSlots } }
    var runners: [Task<Void, Never>] { state.withLock { $0.held.values.compactMap(\.task) } }

    // MARK: Starts of one id, one at a time

    /// How many starts wait behind the one of `sagaId` in progress; `nil` when none is in progress.
    func startsWaiting(for sagaId: String) -> Int? { state.withLock { $0.starting[sagaId]?.count } }

    /// Waits until no other start of `sagaId` is in progress and marks this one as in progress; returns whether it
    /// had to wait.
    func enterStart(_ sagaId: String) async -> Bool {
        let entered = state.withLock { state in
            guard state.starting[sagaId] == nil else { return false }
            state.starting[sagaId] = []
            return true
        }
        if entered { return false }
        var waited = true
        await withCheckedContinuation { continuation in
            let enteredNow = state.withLock { state in
                guard state.starting[sagaId] != nil else {
                    state.starting[sagaId] = []
                    return true
                }
                state.starting[sagaId]!.append(continuation)
                return false
            }
            if enteredNow {
                waited = false
                continuation.resume()
            }
        }
        return waited
    }

    /// Ends a start of `sagaId`, handing the id to the oldest start waiting for it; returns whether the saga is to be
    /// claimed now (a claim found the start in progress, and no runner of it is here to look at it again).
    func leaveStart(_ sagaId: String) -> Bool {
        let (next, reclaim) = state.withLock { state -> (CheckedContinuation<Void, Never>?, Bool) in
            guard var waiting = state.starting[sagaId], !waiting.isEmpty else {
                state.starting[sagaId] = nil
                let reclaim = state.held[sagaId] == nil && state.recheck.remove(sagaId) != nil
                return (nil, reclaim)
            }
            let next = waiting.removeFirst()
            state.starting[sagaId] = waiting
            return (next, false)
        }
        next?.resume()
        return reclaim
    }

    // MARK: Slots

    /// Takes a slot for a start in progress, when one is free.
    func reserveStart() -> Bool {
        state.withLock { state in
            guard state.freeSlots > 0 else { return false }
            state.startReservations += 1
            return true
        }
    }

    /// Gives back the slot of a start whose saga no runner took over (see ``launch(_:token:stopping:runner:)``).
    func endStartReservation() {
        state.withLock { state in
            state.startReservations -= 1
            state.wakeUps += 1
        }
    }

    /// Remembers a saga recorded without a lease while every slot was taken; past ``maxQueuedStarts`` only that
    /// there is more due in the store.
    func queue(_ record: SagaRecord) {
        state.withLock { state in
            guard state.queuedStarts.count < maxQueuedStarts else {
                state.moreDue = true
                state.wakeUps += 1
                return
            }
            state.queuedStarts.append(record)
        }
    }

    /// Where a due-saga poll began: how many sagas it may claim (the free slots), and the count of wake-ups so far.
    struct PollStart {
        let limit: Int
        let wakeUps: Int
    }

    /// Begins a due-saga poll. With `markingIfNone`, a poll a freed slot asked for that finds none free (a start or a
    /// claim took it meanwhile) leaves its mark in the same step, so that the next slot freed polls.
    func startPoll(markingIfNone: Bool) -> PollStart {
        state.withLock { state in
            let free = max(0, state.freeSlots)
            if free == 0, markingIfNone {
                state.moreDue = true
                state.wakeUps += 1
            }
            return PollStart(limit: free, wakeUps: state.wakeUps)
        }
    }

    /// Ends the due-saga poll begun at `start`, noting with `markingMoreDue` that due sagas may wait in the store
    /// beyond what it took; returns whether the free slots were given a wake-up while it ran (a slot freed, a mark
    /// set), which the caller then acts on. Slots freed by polls' failed claims and the marks set at polls' ends are no
    /// wake-ups: a saga whose lease cannot be taken would otherwise be fetched again and again.
    func endPoll(_ start: PollStart, markingMoreDue: Bool) -> Bool {
        state.withLock { state in
            if markingMoreDue { state.moreDue = true }
            return state.wakeUps != start.wakeUps
        }
    }

    /// What a free slot should take next.
    enum NextWork {
        /// This queued start.
        case claim(SagaRecord)
        /// Whatever is due in the store (no queued start can be offered now, but more were due than the queue held).
        case poll
    }

    /// The next work for a free slot, if a slot is free and there is any: queued starts first, then one poll (unless
    /// `offeringMoreDue` is false).
    ///
    /// A queued start whose id a start here still holds stays in the queue (its claim would find the saga busy and
    /// lose the record): that start's end calls `SagaEngine.freeSlot()`, which offers it.
    func nextWork(offeringMoreDue: Bool = true) -> NextWork? {
        state.withLock { state in
            guard state.freeSlots > 0 else { return nil }
            let starting = state.starting
            if let next = state.queuedStarts.firstIndex(where: { starting[$0.id] == nil }) {
                return .claim(state.queuedStarts.remove(at: next))
            }
            guard offeringMoreDue, state.moreDue else { return nil }
            state.moreDue = false
            return .poll
        }
    }

    /// Takes `sagaId`'s queued start out of the queue, if it is there: a claim of it that did not come from the
    /// queue (the due-saga poll finds queued sagas too) can still take its lease without reading it back.
    func takeQueuedStart(_ sagaId: String) -> SagaRecord? {
        state.withLock { state in
            state.queuedStarts.firstIndex { $0.id == sagaId }.map { state.queuedStarts.remove(at: $0) }
        }
    }

    func forgetQueuedStarts() {
        state.withLock { state in
            state.queuedStarts.removeAll()
            state.moreDue = false
        }
    }

    // MARK: Holding

    /// Reserves a slot for `sagaId` before its lease is taken, unless it is held or being started here, or no slot
    /// is free (then `known`, a queued start, goes back first in line in the same step, so that a slot freed just
    /// after finds it).
    func claim(_ sagaId: String, known: SagaRecord?) -> Claim {
        state.withLock { state in
            if state.held[sagaId] != nil || state.starting[sagaId] != nil {
                state.recheck.insert(sagaId)
                return .busy
            }
            guard state.freeSlots > 0 else {
                // It stays due: first in line when it was a queued start, for a freed slot's poll otherwise.
                if let known { state.queuedStarts.insert(known, at: 0) } else { state.moreDue = true }
                state.wakeUps += 1
                return .full
            }
            let token = state.nextToken()
            state.held[sagaId] = HeldSaga(token: token, task: nil)
            heldCountChanged(state.held.count)
            return .reserved(token: token)
        }
    }

    /// Whether `sagaId` is held or being started here.
    func isBusy(_ sagaId: String) -> Bool {
        state.withLock { $0.held[sagaId] != nil || $0.starting[sagaId] != nil }
    }

    /// Whether `sagaId` is held or being started here; if so, it is looked at again when that ends.
    func recheckIfBusy(_ sagaId: String) -> Bool {
        state.withLock { state in
            guard state.held[sagaId] != nil || state.starting[sagaId] != nil else { return false }
            state.recheck.insert(sagaId)
            return true
        }
    }

    /// Gives back the slot ``claim(_:known:)`` reserved under `token`, dropping any look again asked for meanwhile
    /// unless a start of the saga is in progress here (its end acts on it): a claim that failed found the saga held
    /// elsewhere (its holder sees what the look was for), gone, or left due (the due-saga poll finds it); a claim
    /// refused because the engine is stopping never marks one. Kept, the mark would make the saga's next runner here
    /// claim it once more for nothing. A due-saga poll's claim gives its slot back without `countingAsFreed` (see
    /// ``endPoll(_:markingMoreDue:)``).
    func unclaim(_ sagaId: String, token: Int, countingAsFreed: Bool = true) {
        let drained = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard state.held[sagaId]?.token == token else { return [] }
            if state.starting[sagaId] == nil { state.recheck.remove(sagaId) }
            return remove(sagaId, from: &state, countingAsFreed: countingAsFreed)
        }
        for waiter in drained { waiter.resume() }
    }

    /// Starts `runner` for `sagaId` under `token`, the claim's, or, when `nil`, for a start under a fresh one, taking
    /// over the start's reservation; does nothing when `stopping` says the engine stopped taking work. Returns whether
    /// it started (the claim's slot or the start's reservation stays when it did not).
    ///
    /// The check and the start are one step under the lock, so a shutdown that lists the runners after it began
    /// stopping sees every runner that started. (A runner that takes over from one of them later, see
    /// ``replaceRunner(_:token:retiring:with:)``, checks for a crash before it writes anything.)
    func launch(_ sagaId: String, token: Int?, stopping: () -> Bool, runner: (Int) -> Task<Void, Never>) -> Bool {
        state.withLock { state in
            // A claim's slot stays reserved: its caller gives the lease back, then the slot
            // (``unclaim(_:token:countingAsFreed:)``).
            guard !stopping() else { return false }
            if token == nil { state.startReservations -= 1 }
            let token = token ?? state.nextToken()
            state.held[sagaId] = HeldSaga(token: token, task: runner(token))
            state.running += 1
            heldCountChanged(state.held.count)
            return true
        }
    }

    /// Replaces the runner task of `sagaId` under `token` by `runner`'s, handing the task it replaces to `retiring`
    /// first; returns that task, or `nil` (and does nothing) when that runner is not the saga's current one.
    func replaceRunner(
        _ sagaId: String, token: Int, retiring: (Task<Void, Never>) -> Void, with runner: () -> Task<Void, Never>
    ) -> Task<Void, Never>? {
        state.withLock { state in
            guard let current = state.held[sagaId], current.token == token, let old = current.task else { return nil }
            retiring(old)
            state.held[sagaId] = HeldSaga(token: token, task: runner())
            return old
        }
    }

    /// Returns once no runner is left, and with `claims` no claim getting its lease either (at once when none is).
    ///
    /// A graceful shutdown waits for the claims too, until they give back the leases they took; after a crash
    /// nothing they do matters.
    func drained(claims: Bool) async {
        await withCheckedContinuation { continuation in
            let done = state.withLock { state in
                if claims {
                    guard !state.held.isEmpty else { return true }
                    state.idleWaiters.append(continuation)
                } else {
                    guard state.running > 0 else { return true }
                    state.drainWaiters.append(continuation)
                }
                return false
            }
            if done { continuation.resume() }
        }
    }

    /// Lets go of `sagaId` when the runner under `token` ended, unless the engine has more to do on its turn.
    func finish(_ sagaId: String, token: Int, needsEngine: Bool) -> Finish {
        let (finish, drained) = state.withLock { state -> (Finish, [CheckedContinuation<Void, Never>]) in
            guard state.held[sagaId]?.token == token else { return (.stale, []) }
            if needsEngine || state.recheck.contains(sagaId) { return (.needsEngine, []) }
            return (.released, remove(sagaId, from: &state))
        }
        for waiter in drained { waiter.resume() }
        return finish
    }

    /// Lets go of `sagaId` after the runner under `token` ended; returns whether it was that runner's, and whether
    /// the saga was to be looked at again.
    func release(_ sagaId: String, token: Int) -> (current: Bool, recheck: Bool) {
        let (released, drained) = state.withLock {
            state -> ((current: Bool, recheck: Bool), [CheckedContinuation<Void, Never>]) in
            guard state.held[sagaId]?.token == token else { return ((false, false), []) }
            let drained = remove(sagaId, from: &state)
            return ((true, state.recheck.remove(sagaId) != nil), drained)
        }
        for waiter in drained { waiter.resume() }
        return released
    }
}

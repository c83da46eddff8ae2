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
        /// Sagas started while every slot was taken, recorded without a lease; claimed in order as slots free up.
        var queuedStarts: [SagaRecord] = []
        /// Sagas to look at again as soon as their runner lets go (a signal arrived meanwhile).
        var recheck: Set<String> = []
        /// Who waits for the last held saga to be let go.
        var drainWaiters: [CheckedContinuation<Void, Never>] = []

        var freeSlots: Int { capacity - held.count - startReservations }
        let capacity: Int

        mutating func nextToken() -> Int {
            lastToken += 1
            return lastToken
        }

        /// Lets go of `sagaId`; returns who waited for the last held saga, when it was the last.
        mutating func remove(_ sagaId: String) -> [CheckedContinuation<Void, Never>] {
            held[sagaId] = nil
            guard held.isEmpty else { return [] }
            defer { drainWaiters = [] }
            return drainWaiters
        }
    }

    /// What ``claim(_:)`` found.
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
        /// The saga is let go; `held` sagas remain.
        case released(held: Int)
        /// The engine must let it go on its own turn (a timer, a quarantine or a recheck follows).
        case needsEngine
    }

    private let state: Mutex<State>
    /// How many sagas the book remembers to claim after starts that found every slot taken.
    let maxQueuedStarts: Int

    init(capacity: Int) {
        state = Mutex(State(capacity: capacity))
        maxQueuedStarts = 4 * capacity
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
        await withCheckedContinuation { continuation in
            let enteredNow = state.withLock { state in
                guard state.starting[sagaId] != nil else {
                    state.starting[sagaId] = []
                    return true
                }
                state.starting[sagaId]!.append(continuation)
                return false
            }
            if enteredNow { continuation.resume() }
        }
        return true
    }

    /// Ends a start of `sagaId`, handing the id to the oldest start waiting for it.
    func leaveStart(_ sagaId: String) {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard var waiting = state.starting[sagaId], !waiting.isEmpty else {
                state.starting[sagaId] = nil
                return nil
            }
            let next = waiting.removeFirst()
            state.starting[sagaId] = waiting
            return next
        }
        next?.resume()
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

    /// Gives back a start's slot (its saga, when it runs, holds one of its own by then).
    func endStartReservation() {
        state.withLock { $0.startReservations -= 1 }
    }

    /// Remembers a saga recorded without a lease while every slot was taken (up to ``maxQueuedStarts``).
    func queue(_ record: SagaRecord, first: Bool = false) {
        state.withLock { state in
            guard state.queuedStarts.count < maxQueuedStarts else { return }
            if first { state.queuedStarts.insert(record, at: 0) } else { state.queuedStarts.append(record) }
        }
    }

    /// The next queued start to claim, when a slot is free.
    func nextQueuedStart() -> SagaRecord? {
        state.withLock { state in
            guard state.freeSlots > 0, !state.queuedStarts.isEmpty else { return nil }
            return state.queuedStarts.removeFirst()
        }
    }

    func forgetQueuedStarts() {
        state.withLock { $0.queuedStarts.removeAll() }
    }

    // MARK: Holding

    /// Reserves a slot for `sagaId` before its lease is taken, unless it is held or being started here, or no slot
    /// is free.
    func claim(_ sagaId: String) -> Claim {
        state.withLock { state in
            if state.held[sagaId] != nil || state.starting[sagaId] != nil {
                state.recheck.insert(sagaId)
                return .busy
            }
            guard state.freeSlots > 0 else { return .full }
            let token = state.nextToken()
            state.held[sagaId] = HeldSaga(token: token, task: nil)
            return .reserved(token: token)
        }
    }

    /// Whether `sagaId` is held or being started here; if so, it is looked at again when that ends.
    func recheckIfBusy(_ sagaId: String) -> Bool {
        state.withLock { state in
            guard state.held[sagaId] != nil || state.starting[sagaId] != nil else { return false }
            state.recheck.insert(sagaId)
            return true
        }
    }

    /// Gives back the slot ``claim(_:)`` reserved under `token`.
    func unclaim(_ sagaId: String, token: Int) {
        let drained = state.withLock { state in
            state.held[sagaId]?.token == token ? state.remove(sagaId) : []
        }
        for waiter in drained { waiter.resume() }
    }

    /// Starts `runner` for `sagaId` under `token` (a fresh one when `nil`), unless `stopping` says the engine stopped
    /// taking work; returns how many sagas are held then, or `nil` when it did not start.
    ///
    /// The check and the start are one step under the lock, so a shutdown that lists the runners after it began
    /// stopping sees every runner that started.
    func launch(
        _ sagaId: String, token: Int?, stopping: () -> Bool, runner: (Int) -> Task<Void, Never>
    ) -> Int? {
        let (held, drained) = state.withLock { state -> (Int?, [CheckedContinuation<Void, Never>]) in
            guard !stopping() else {
                guard let token, state.held[sagaId]?.token == token else { return (nil, []) }
                return (nil, state.remove(sagaId))
            }
            let token = token ?? state.nextToken()
            state.held[sagaId] = HeldSaga(token: token, task: runner(token))
            return (state.held.count, [])
        }
        for waiter in drained { waiter.resume() }
        return held
    }

    /// Replaces the runner task of `sagaId` under `token` by `runner`'s; returns the task it replaced, or `nil` (and
    /// makes none) when that runner is not the saga's current one.
    func replaceRunner(_ sagaId: String, token: Int, with runner: () -> Task<Void, Never>) -> Task<Void, Never>? {
        state.withLock { state in
            guard let current = state.held[sagaId], current.token == token else { return nil }
            state.held[sagaId] = HeldSaga(token: token, task: runner())
            return current.task
        }
    }

    /// Returns once no saga is held (at once when none is).
    func drained() async {
        await withCheckedContinuation { continuation in
            let idle = state.withLock { state in
                guard !state.held.isEmpty else { return true }
                state.drainWaiters.append(continuation)
                return false
            }
            if idle { continuation.resume() }
        }
    }

    /// Lets go of `sagaId` when the runner under `token` ended, unless the engine has more to do on its turn.
    func finish(_ sagaId: String, token: Int, needsEngine: Bool) -> Finish {
        let (finish, drained) = state.withLock { state -> (Finish, [CheckedContinuation<Void, Never>]) in
            guard state.held[sagaId]?.token == token else { return (.stale, []) }
            if needsEngine || state.recheck.contains(sagaId) { return (.needsEngine, []) }
            let drained = state.remove(sagaId)
            return (.released(held: state.held.count), drained)
        }
        for waiter in drained { waiter.resume() }
        return finish
    }

    /// Lets go of `sagaId` after the runner under `token` ended; returns whether it was that runner's, whether the
    /// saga was to be looked at again, and how many sagas remain held.
    func release(_ sagaId: String, token: Int) -> (current: Bool, recheck: Bool, held: Int) {
        let (released, drained) = state.withLock {
            state -> ((current: Bool, recheck: Bool, held: Int), [CheckedContinuation<Void, Never>]) in
            guard state.held[sagaId]?.token == token else { return ((false, false, state.held.count), []) }
            let drained = state.remove(sagaId)
            return ((true, state.recheck.remove(sagaId) != nil, state.held.count), drained)
        }
        for waiter in drained { waiter.resume() }
        return released
    }
}

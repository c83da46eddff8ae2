import Foundation
import Synchronization

/// Many deadlines on one ``SagaClock``, served by a single sleeping task: the sleep until the earliest one.
///
/// Scheduling and cancelling a deadline takes a lock and a heap operation, no task and no sleep of its own, so
/// an engine can give every attempt a timeout at almost no cost. The sleeping task starts with the first deadline
/// and ends when it wakes to find none pending; it is replaced only when a deadline comes earlier than its sleep.
///
/// ```swift
/// let timer = DeadlineTimer(clock: SystemClock())
/// switch await timer.race(.seconds(2), operation: { await probe() }) {
/// case .finished(let value): use(value)
/// case .timedOut: report("no answer within 2 s")
/// case .cancelled: return
/// }
/// ```
public final class DeadlineTimer: Sendable {
    /// A timer on the wall clock, for code that has no clock of its own to use.
    public static let system = DeadlineTimer(clock: SystemClock())

    /// The clock the deadlines are on.
    public let clock: any SagaClock

    private struct Sleeper {
        let task: Task<Void, Never>
        let generation: UInt64
        var until: Date
    }

    private struct State {
        var due = TimerHeap<UInt64>()
        var actions: [UInt64: @Sendable () -> Void] = [:]
        var lastId: UInt64 = 0
        var sleeper: Sleeper?
    }

    private let state = Mutex(State())

    /// Creates a timer on `clock`.
    public init(clock: any SagaClock) {
        self.clock = clock
    }

    /// How many deadlines are pending.
    var pendingCount: Int { state.withLock { $0.actions.count } }

    /// Calls `action` once `deadline` has passed on the clock, unless ``cancel(_:)`` comes first; returns the
    /// deadline's id. `action` runs on the sleeping task and must not block.
    func schedule(at deadline: Date, _ action: @escaping @Sendable () -> Void) -> UInt64 {
        let (id, replaced) = state.withLock { state -> (UInt64, Task<Void, Never>?) in
            state.lastId += 1
            let id = state.lastId
            state.due.schedule(id, at: deadline)
            state.actions[id] = action
            if let sleeper = state.sleeper, sleeper.until <= deadline { return (id, nil) }
            let replaced = state.sleeper?.task
            state.sleeper = Sleeper(task: sleep(until: deadline, generation: id), generation: id, until: deadline)
            return (id, replaced)
        }
        replaced?.cancel()
        return id
    }

    /// Forgets deadline `id` (nothing happens when it already fired or was cancelled).
    func cancel(_ id: UInt64) {
        state.withLock { state in
            guard state.actions.removeValue(forKey: id) != nil else { return }
            state.due.cancel(id)
        }
    }

    /// The sleeping task: sleeps until the earliest deadline, fires those due, and goes on while any remain.
    private func sleep(until first: Date, generation: UInt64) -> Task<Void, Never> {
        Task { [clock] in
            var until = first
            while true {
                guard (try? await clock.sleep(until: until)) != nil else { return }
                let now = clock.now
                let (due, next) = state.withLock { state -> ([@Sendable () -> Void], Date?) in
                    guard state.sleeper?.generation == generation else { return ([], nil) }
                    let due = state.due.popDue(now: now).compactMap { state.actions.removeValue(forKey: $0) }
                    guard let next = state.due.dropStaleAndPeek() else {
                        state.sleeper = nil
                        return (due, nil)
                    }
                    state.sleeper?.until = next
                    return (due, next)
                }
                for action in due { action() }
                guard let next else { return }
                until = next
            }
        }
    }
}

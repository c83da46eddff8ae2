import Foundation
import Synchronization

/// How a race between an operation and its deadline ended.
public enum DeadlineRace<Value: Sendable>: Sendable {
    /// The operation returned first, with this value.
    case finished(Value)
    /// The deadline passed first; the operation was cancelled.
    case timedOut
    /// The calling task was cancelled first; the operation was cancelled.
    case cancelled
}

extension DeadlineTimer {
    /// Runs `operation` in a task of its own and returns whichever comes first: its value, the deadline `timeout`
    /// from now on this timer's clock, or the cancellation of the calling task.
    ///
    /// The caller never waits for a loser: on a timeout or a cancellation the operation's task is cancelled and
    /// left to end by itself (one that ignores cancellation keeps running in the background), so an operation
    /// with an effect must be safe to have run anyway.
    ///
    /// ```swift
    /// switch await DeadlineTimer.system.race(.seconds(1), operation: { await Result { try await check() } }) {
    /// case .finished(let result): try result.get()
    /// case .timedOut: throw TimeoutError()
    /// case .cancelled: throw CancellationError()
    /// }
    /// ```
    public func race<Value: Sendable>(
        _ timeout: Duration,
        operation: @escaping @Sendable () async -> Value
    ) async -> DeadlineRace<Value> {
        let deadline = SagaTime.adding(timeout, to: clock.now)
        let race = RaceState<Value>()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                guard race.install(continuation) else { return }
                let task = Task {
                    let value = await operation()
                    race.finish(.finished(value), timer: self)
                }
                let timeoutId = schedule(at: deadline) { race.finish(.timedOut, timer: self) }
                race.attach(task, timeoutId: timeoutId, timer: self)
            }
        } onCancel: {
            race.finish(.cancelled, timer: self)
        }
    }
}

/// One race: the first ``finish(_:timer:)`` decides it, resumes the caller, cancels the operation (unless it is
/// what finished) and forgets the deadline.
private final class RaceState<Value: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<DeadlineRace<Value>, Never>?
        var outcome: DeadlineRace<Value>?
        var task: Task<Void, Never>?
        var timeoutId: UInt64?
    }

    private let state = Mutex(State())

    /// Installs the caller's continuation; resumes it at once (and returns `false`) when the race already ended.
    func install(_ continuation: CheckedContinuation<DeadlineRace<Value>, Never>) -> Bool {
        let ended = state.withLock { state -> DeadlineRace<Value>? in
            if let outcome = state.outcome { return outcome }
            state.continuation = continuation
            return nil
        }
        guard let ended else { return true }
        continuation.resume(returning: ended)
        return false
    }

    /// Hands over the operation's task and the deadline's id; undoes both at once when the race already ended.
    func attach(_ task: Task<Void, Never>, timeoutId: UInt64, timer: DeadlineTimer) {
        let ended = state.withLock { state -> DeadlineRace<Value>? in
            if let outcome = state.outcome { return outcome }
            state.task = task
            state.timeoutId = timeoutId
            return nil
        }
        guard let ended else { return }
        timer.cancel(timeoutId)
        if case .finished = ended { return }
        task.cancel()
    }

    /// Ends the race with `outcome` unless it already ended.
    func finish(_ outcome: DeadlineRace<Value>, timer: DeadlineTimer) {
        let taken = state.withLock {
            state -> (CheckedContinuation<DeadlineRace<Value>, Never>?, Task<Void, Never>?, UInt64?)? in
            guard state.outcome == nil else { return nil }
            state.outcome = outcome
            defer {
                state.continuation = nil
                state.task = nil
                state.timeoutId = nil
            }
            return (state.continuation, state.task, state.timeoutId)
        }
        guard let (continuation, task, timeoutId) = taken else { return }
        if let timeoutId { timer.cancel(timeoutId) }
        if case .finished = outcome {} else { task?.cancel() }
        continuation?.resume(returning: outcome)
    }
}

extension DeadlineTimer {
    /// How a race run on the calling task was lost.
    enum InlineLoss: Sendable {
        /// The deadline passed first.
        case timedOut
        /// The calling task was cancelled first.
        case cancelled
    }

    /// Runs `operation` on the calling task against the deadline `timeout` from now and the calling task's
    /// cancellation: returns its value when it returns first, `nil` when it lost.
    ///
    /// Whichever of the deadline and the cancellation comes first calls `lost` at once, from the timer or from the
    /// canceller, without waiting for the operation: whoever gave the operation its task must go on elsewhere
    /// (see ``SagaRunner``'s hand-over). The operation keeps the calling task until it returns, and then this
    /// returns `nil`; one that lost before it began is not run at all. Unlike ``race(_:operation:)`` no task is made,
    /// which is what makes it cheap enough for every attempt of every step.
    func raceInline<Value>(
        _ timeout: Duration,
        operation: () async -> Value,
        lost: @escaping @Sendable (InlineLoss) -> Void
    ) async -> Value? {
        let race = InlineRace(lost: lost)
        // Capturing only the race, the deadline's action needs no context of its own.
        let timeoutId = schedule(at: SagaTime.adding(timeout, to: clock.now)) { race.lose(.timedOut) }
        defer { cancel(timeoutId) }
        return await withTaskCancellationHandler {
            // Lost before it began (the caller was cancelled already, or the deadline passed): it does not run.
            guard !race.hasEnded else { return nil }
            let value = await operation()
            return race.end() ? value : nil
        } onCancel: {
            race.lose(.cancelled)
        }
    }
}

/// Whether a race run on the calling task has ended: the first ``end()`` or ``lose(_:)`` decides it.
private final class InlineRace: Sendable {
    private let ended = Atomic<Bool>(false)
    private let lost: @Sendable (DeadlineTimer.InlineLoss) -> Void

    init(lost: @escaping @Sendable (DeadlineTimer.InlineLoss) -> Void) {
        self.lost = lost
    }

    /// Whether the race has ended.
    var hasEnded: Bool { ended.load(ordering: .acquiring) }

    /// Ends the race; returns whether this call did.
    func end() -> Bool {
        ended.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
    }

    /// Ends the race as lost by `loss`, unless it already ended.
    func lose(_ loss: DeadlineTimer.InlineLoss) {
        if end() { lost(loss) }
    }
}

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
        await race(timeout, started: nil, operation: operation)
    }

    /// ``race(_:operation:)``, handing the operation's task to `started` as soon as it exists (the engine tracks
    /// running attempts to cancel them on a hard stop).
    func race<Value: Sendable>(
        _ timeout: Duration,
        started: ((Task<Void, Never>) -> Void)?,
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
                started?(task)
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

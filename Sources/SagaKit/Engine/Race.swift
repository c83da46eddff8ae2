import Foundation
import Synchronization

/// A race between tasks: the first to call ``finish(_:)`` decides the result; the others are cancelled and
/// not waited for (an operation that ignores cancellation keeps running in the background).
final class Race<Value: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Value, Never>?
        var outcome: Value?
        var tasks: [Task<Void, Never>] = []
    }

    private let state = Mutex(State())

    /// Runs `operations` concurrently and returns the first result; returns `cancelled` at once when the
    /// calling task is cancelled.
    static func first(_ operations: [@Sendable () async -> Value], cancelled: Value) async -> Value {
        let race = Race<Value>()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                guard race.install(continuation) else { return }
                for operation in operations {
                    race.add(Task { race.finish(await operation()) })
                }
            }
        } onCancel: {
            race.finish(cancelled)
        }
    }

    /// Installs the continuation; resumes it at once (and returns `false`) when the race already ended.
    func install(_ continuation: CheckedContinuation<Value, Never>) -> Bool {
        let finished = state.withLock { state -> Value? in
            if let outcome = state.outcome { return outcome }
            state.continuation = continuation
            return nil
        }
        guard let finished else { return true }
        continuation.resume(returning: finished)
        return false
    }

    /// Adds a competitor; cancels it at once when the race already ended.
    func add(_ task: Task<Void, Never>) {
        let ended = state.withLock { state -> Bool in
            if state.outcome != nil { return true }
            state.tasks.append(task)
            return false
        }
        if ended { task.cancel() }
    }

    /// Ends the race with `outcome` unless it already ended.
    func finish(_ outcome: Value) {
        let (continuation, tasks) = state.withLock {
            state -> (CheckedContinuation<Value, Never>?, [Task<Void, Never>]) in
            guard state.outcome == nil else { return (nil, []) }
            state.outcome = outcome
            let taken = (state.continuation, state.tasks)
            state.continuation = nil
            state.tasks = []
            return taken
        }
        for task in tasks { task.cancel() }
        continuation?.resume(returning: outcome)
    }
}

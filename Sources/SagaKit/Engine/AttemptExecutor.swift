import Foundation

/// How one attempt ended.
enum AttemptOutcome<Value: Sendable>: Sendable {
    /// It returned or threw (a timeout is a retryable `Timeout` failure).
    case finished(Result<Value, StepError>, timedOut: Bool)
    /// The runner was cancelled (hard stop) before the attempt ended; nothing may be recorded.
    case abandoned
}

/// Runs one attempt of a step or compensation, racing it against its timeout on the engine's deadline timer.
///
/// On timeout the attempt's task is cancelled and the timeout is reported at once, without waiting for the
/// attempt to notice: an action that ignores cancellation keeps running in the background, which is why
/// effects must be idempotent by their key.
enum AttemptExecutor {
    static func run<Value: Sendable>(
        timeout: Duration,
        deadlines: DeadlineTimer,
        lifecycle: EngineLifecycle,
        operation: @escaping @Sendable () async throws -> Value
    ) async -> AttemptOutcome<Value> {
        let attemptId = lifecycle.nextAttemptId()
        let race = await deadlines.race(timeout, started: { lifecycle.track(attemptId, $0) }) {
            defer { lifecycle.untrack(attemptId) }
            do {
                return Result<Value, StepError>.success(try await operation())
            } catch {
                return .failure(StepError.classify(error))
            }
        }
        switch race {
        case .finished(let result): return .finished(result, timedOut: false)
        case .timedOut: return .finished(.failure(.timeout(after: timeout)), timedOut: true)
        case .cancelled: return .abandoned
        }
    }
}

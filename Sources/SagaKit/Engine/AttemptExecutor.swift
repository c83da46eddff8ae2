import Foundation

/// How one attempt ended.
enum AttemptOutcome<Value: Sendable>: Sendable {
    /// It returned or threw (a timeout is a retryable `Timeout` failure).
    case finished(Result<Value, StepError>, timedOut: Bool)
    /// The runner was cancelled (hard stop) before the attempt ended; nothing may be recorded.
    case abandoned
}

/// Runs one attempt of a step or compensation, racing it against its timeout on the saga clock.
///
/// On timeout the attempt's task is cancelled and the timeout is reported at once, without waiting for the
/// attempt to notice: an action that ignores cancellation keeps running in the background, which is why
/// effects must be idempotent by their key.
enum AttemptExecutor {
    static func run<Value: Sendable>(
        timeout: Duration,
        clock: any SagaClock,
        lifecycle: EngineLifecycle,
        operation: @escaping @Sendable () async throws -> Value
    ) async -> AttemptOutcome<Value> {
        let race = Race<AttemptOutcome<Value>>()
        let deadline = SagaTime.adding(timeout, to: clock.now)
        let attemptId = lifecycle.nextAttemptId()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                guard race.install(continuation) else { return }
                let action = Task {
                    let result: Result<Value, StepError>
                    do {
                        result = .success(try await operation())
                    } catch {
                        result = .failure(StepError.classify(error))
                    }
                    race.finish(.finished(result, timedOut: false))
                    lifecycle.untrack(attemptId)
                }
                lifecycle.track(attemptId, action)
                race.add(action)
                race.add(
                    Task {
                        guard (try? await clock.sleep(until: deadline)) != nil else { return }
                        race.finish(.finished(.failure(.timeout(after: timeout)), timedOut: true))
                    })
            }
        } onCancel: {
            race.finish(.abandoned)
        }
    }
}

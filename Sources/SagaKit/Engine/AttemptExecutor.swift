import Foundation

/// Runs one attempt of a step or compensation on the runner's own task, racing it against its timeout on the
/// engine's deadline timer and against the runner's cancellation.
///
/// When the timeout or a hard stop comes first, `lost` is told at once (with the timeout's failure, or `nil` for a
/// hard stop) and the runner's work goes on in a fresh task: the attempt keeps the old task until it returns, and
/// what it returns then is dropped. An action that ignores cancellation keeps running in the background, which is
/// why effects must be idempotent by their key.
enum AttemptExecutor {
    static func run<Value: Sendable>(
        timeout: Duration,
        deadlines: DeadlineTimer,
        operation: () async throws -> Value,
        lost: @escaping @Sendable (StepError?) -> Void
    ) async -> Result<Value, StepError>? {
        await deadlines.raceInline(timeout) {
            do {
                return Result<Value, StepError>.success(try await operation())
            } catch {
                return .failure(StepError.classify(error))
            }
        } lost: { loss in
            switch loss {
            case .timedOut: lost(.timeout(after: timeout))
            case .cancelled: lost(nil)
            }
        }
    }
}

import Foundation
import SagaKit
import SagaKitTesting
import Synchronization

/// What one call of a scripted step does.
enum Behavior: Sendable {
    /// Returns normally.
    case succeed
    /// Throws a retryable `StepError` of this kind.
    case failRetryable(String)
    /// Throws a non-retryable `StepError` of this kind.
    case failNonRetryable(String)
    /// Throws an error that is not a `StepError`.
    case throwPlain
    /// Sleeps (in real time) until cancelled.
    case hang
    /// Waits until the gate opens (cancellable), then returns normally.
    case wait(TestGate)
    /// Waits until the gate opens (cancellable), then throws a retryable `StepError` of this kind.
    case failRetryableAfter(TestGate, String)
    /// Waits until the gate opens, deaf to cancellation (like a call that cannot be interrupted), then returns
    /// normally.
    case waitIgnoringCancellation(TestGate)
    /// Runs the closure (after the effect is logged), then returns normally.
    case run(@Sendable () async -> Void)
}

/// A plain error, not a `StepError`.
struct PlainFailure: Error, CustomStringConvertible {
    var description: String { "plain failure" }
}

/// The behaviour of each successive call of a step; after the list, `otherwise`.
final class StepScript: Sendable {
    private let behaviors: [Behavior]
    private let otherwise: Behavior
    private let calls = Mutex(0)

    init(_ behaviors: [Behavior] = [], otherwise: Behavior = .succeed) {
        self.behaviors = behaviors
        self.otherwise = otherwise
    }

    static let succeed = StepScript()

    var callCount: Int { calls.withLock { $0 } }

    /// Performs the next call's behaviour.
    func perform() async throws {
        let index = calls.withLock { calls -> Int in
            defer { calls += 1 }
            return calls
        }
        switch index < behaviors.count ? behaviors[index] : otherwise {
        case .succeed:
            return
        case .failRetryable(let kind):
            throw StepError.retryable(kind: kind, message: "scripted retryable failure")
        case .failNonRetryable(let kind):
            throw StepError.nonRetryable(kind: kind, message: "scripted definitive failure")
        case .throwPlain:
            throw PlainFailure()
        case .hang:
            try await Task.sleep(for: .seconds(3600))
        case .wait(let gate):
            try await gate.wait()
        case .failRetryableAfter(let gate, let kind):
            try await gate.wait()
            throw StepError.retryable(kind: kind, message: "scripted retryable failure")
        case .waitIgnoringCancellation(let gate):
            await Task { try? await gate.wait() }.value
        case .run(let body):
            await body()
        }
    }
}

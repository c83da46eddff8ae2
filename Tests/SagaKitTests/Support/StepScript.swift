import Foundation
import SagaKit
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
    case wait(Gate)
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
        case .run(let body):
            await body()
        }
    }
}

/// A gate test steps wait on until the test opens it; waiting is cancellable.
final class Gate: Sendable {
    private struct State {
        var open = false
        var waiters: [UUID: CheckedContinuation<Void, any Error>] = [:]
        var arrivals = 0
    }

    private let state = Mutex(State())

    /// How many calls have reached the gate.
    var arrivals: Int { state.withLock { $0.arrivals } }

    func open() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, any Error>] in
            state.open = true
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    func wait() async throws {
        let id = UUID()
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resumeNow = state.withLock { state -> Bool? in
                    state.arrivals += 1
                    if state.open { return true }
                    if Task.isCancelled { return false }
                    state.waiters[id] = continuation
                    return nil
                }
                switch resumeNow {
                case true?: continuation.resume()
                case false?: continuation.resume(throwing: CancellationError())
                case nil: break
                }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume(throwing: CancellationError())
        }
    }

    /// Waits (real time, bounded) until `count` calls reached the gate.
    func waitForArrivals(_ count: Int, timeout: Duration = .seconds(5)) async throws {
        let limit = ContinuousClock.now.advanced(by: timeout)
        while arrivals < count {
            guard ContinuousClock.now < limit else { throw GateTimeout(expected: count, arrived: arrivals) }
            try await Task.sleep(for: .milliseconds(1))
        }
    }
}

struct GateTimeout: Error {
    let expected: Int
    let arrived: Int
}

import Foundation
import SagaKit
import Synchronization

/// A gate test steps wait on until the test opens it; waiting is cancellable.
public final class TestGate: Sendable {
    private struct State {
        var open = false
        var waiters: [UUID: CheckedContinuation<Void, any Error>] = [:]
        var arrivals = 0
    }

    private let state = Mutex(State())

    /// Creates a closed gate.
    public init() {}

    /// How many calls have reached the gate.
    public var arrivals: Int { state.withLock { $0.arrivals } }

    /// Opens the gate: every waiter, and every later call, passes.
    public func open() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, any Error>] in
            state.open = true
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Waits until the gate opens; throws `CancellationError` when the task is cancelled first.
    public func wait() async throws {
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
    public func waitForArrivals(_ count: Int, timeout: Duration = .seconds(5)) async throws {
        let limit = ContinuousClock.now.advanced(by: timeout)
        while arrivals < count {
            guard ContinuousClock.now < limit else { throw GateTimeout(expected: count, arrived: arrivals) }
            try await Task.sleep(for: .milliseconds(1))
        }
    }
}

/// Fewer calls reached a ``TestGate`` than a test waited for.
public struct GateTimeout: Error, Sendable {
    /// How many were expected.
    public let expected: Int
    /// How many arrived.
    public let arrived: Int
}

import Foundation
import SagaKit
import Synchronization

/// A clock that moves only when a test says so; sleepers wake when time passes their deadline.
///
/// ```swift
/// let clock = TestClock()
/// // … the engine parks a saga until clock.now + 200 ms …
/// clock.advance(by: .milliseconds(200))   // wakes every sleeper due by then, earliest first
/// ```
public final class TestClock: SagaClock {
    private struct Sleeper {
        let deadline: Date
        let order: UInt64
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: Date
        var nextId: UInt64 = 0
        var sleepers: [UInt64: Sleeper] = [:]
    }

    private enum Registration {
        case resumeNow
        case cancelled
        case registered
    }

    /// 2025-01-01T00:00:00Z, where test clocks start by default.
    public static let defaultStart = Date(timeIntervalSince1970: 1_735_689_600)

    private let state: Mutex<State>

    /// Creates a clock showing `now` (rounded to whole milliseconds).
    public init(now: Date = TestClock.defaultStart) {
        state = Mutex(State(now: SagaTime.truncated(now)))
    }

    /// The clock's current time.
    public var now: Date { state.withLock { $0.now } }

    /// How many tasks sleep on this clock now.
    public var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    /// The earliest deadline a sleeper waits for.
    public var nextDeadline: Date? { state.withLock { $0.sleepers.values.map(\.deadline).min() } }

    /// Suspends until the clock reaches `deadline`; returns at once when it already has.
    public func sleep(until deadline: Date) async throws {
        let id = state.withLock { state -> UInt64 in
            state.nextId += 1
            return state.nextId
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let registration = state.withLock { state -> Registration in
                    if Task.isCancelled { return .cancelled }
                    if deadline <= state.now { return .resumeNow }
                    state.sleepers[id] = Sleeper(deadline: deadline, order: id, continuation: continuation)
                    return .registered
                }
                switch registration {
                case .resumeNow: continuation.resume()
                case .cancelled: continuation.resume(throwing: CancellationError())
                case .registered: break
                }
            }
        } onCancel: {
            let sleeper = state.withLock { $0.sleepers.removeValue(forKey: id) }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves time forward by `duration` and wakes every sleeper whose deadline has passed, earliest first.
    public func advance(by duration: Duration) {
        advance(to: SagaTime.adding(duration, to: now))
    }

    /// Moves time to `date` (never backwards) and wakes every sleeper whose deadline has passed, earliest first.
    public func advance(to date: Date) {
        let due = state.withLock { state -> [Sleeper] in
            state.now = max(state.now, SagaTime.truncated(date))
            let now = state.now
            let due = state.sleepers.values.filter { $0.deadline <= now }
            for sleeper in due { state.sleepers[sleeper.order] = nil }
            return due.sorted { ($0.deadline, $0.order) < ($1.deadline, $1.order) }
        }
        for sleeper in due { sleeper.continuation.resume() }
    }

    /// Waits (in real time, at most `timeout`) until at least `count` tasks sleep on this clock.
    /// Returns whether they did.
    @discardableResult
    public func waitForSleepers(count: Int, timeout: Duration = .seconds(5)) async -> Bool {
        await waitUntil(timeout: timeout) { self.sleeperCount >= count }
    }

    /// Waits (in real time, at most `timeout`) until some sleeper's deadline is at or before `date`.
    /// Returns whether one did.
    @discardableResult
    public func waitForSleeper(dueBy date: Date, timeout: Duration = .seconds(5)) async -> Bool {
        await waitUntil(timeout: timeout) { (self.nextDeadline ?? .distantFuture) <= date }
    }

    private func waitUntil(timeout: Duration, _ condition: () -> Bool) async -> Bool {
        let limit = ContinuousClock.now.advanced(by: timeout)
        while !condition() {
            guard ContinuousClock.now < limit else { return false }
            try? await Task.sleep(for: .milliseconds(1))
        }
        return true
    }
}

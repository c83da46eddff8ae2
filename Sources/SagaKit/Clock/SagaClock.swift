import Foundation

/// The engine's source of time: what "now" is and how to wait until a moment.
///
/// Production uses ``SystemClock``; tests use ``TestClock`` to move time by hand.
public protocol SagaClock: Sendable {
    /// The current time.
    var now: Date { get }
    /// Suspends until `deadline` (returns at once when it has passed); throws `CancellationError` when cancelled.
    func sleep(until deadline: Date) async throws
}

extension SagaClock {
    /// Suspends for `duration`.
    public func sleep(for duration: Duration) async throws {
        try await sleep(until: SagaTime.adding(duration, to: now))
    }
}

/// The wall clock.
public struct SystemClock: SagaClock {
    /// Creates the wall clock.
    public init() {}

    /// `Date()`.
    public var now: Date { Date() }

    /// Sleeps with `Task.sleep` until `deadline`.
    public func sleep(until deadline: Date) async throws {
        let interval = deadline.timeIntervalSinceNow
        if interval > 0 {
            try await Task.sleep(for: .milliseconds(Int64((interval * 1000).rounded(.up))))
        } else {
            try Task.checkCancellation()
        }
    }
}

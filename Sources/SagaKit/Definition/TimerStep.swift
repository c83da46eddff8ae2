import Foundation

/// A durable sleep: recorded as `TimerStarted(fireAt)` and `TimerFired`; no task sleeps while it runs.
///
/// ```swift
/// TimerStep<OrderInput>("CoolingOff", duration: .seconds(30))
/// ```
public struct TimerStep<Input: Codable & Sendable>: Sendable {
    /// The timer's name, unique within its definition.
    public let name: String
    /// How long the saga sleeps.
    public var duration: Duration
    /// When present and false for the input, the timer is skipped.
    public var condition: (@Sendable (Input) -> Bool)?

    /// Creates a timer.
    public init(_ name: String, duration: Duration) {
        self.name = name
        self.duration = duration
        self.condition = nil
    }

    /// This timer, run only when `condition` holds for the saga's input.
    public func when(_ condition: @escaping @Sendable (Input) -> Bool) -> TimerStep {
        var copy = self
        copy.condition = condition
        return copy
    }
}

import Foundation

/// A durable wait for an outside signal (an approval, say), with an optional deadline.
///
/// The saga is WAITING (parked, no task, no poll loop) until one of ``signals`` arrives or the deadline passes.
/// ``onSignal`` turns a signal into the step's result (the saga continues) or a ``StepError`` (the saga
/// compensates); ``onTimeout`` is the error when the deadline passes (`nil`: continue with a `null` result).
///
/// ```swift
/// SignalWaitStep<OrderInput>(
///     "AwaitApproval",
///     continueOn: ["approve"],
///     failOn: ["reject": .nonRetryable(kind: "Rejected", message: "an operator rejected the order")],
///     timeout: .seconds(86_400),
///     onTimeout: .nonRetryable(kind: "ApprovalTimeout", message: "no approval within 24 h")
/// )
/// .when { $0.total > threshold }
/// ```
public struct SignalWaitStep<Input: Codable & Sendable>: Sendable {
    /// The wait's name, unique within its definition.
    public let name: String
    /// The signal names this wait accepts; others are recorded and ignored.
    public var signals: [String]
    /// How long to wait; `nil` waits forever.
    public var timeout: Duration?
    /// Turns an accepted signal (name, payload) into the step's result or a failure.
    public var onSignal: @Sendable (String, JSONValue) -> Result<JSONValue, StepError>
    /// The failure recorded when the deadline passes; `nil` continues with a `null` result.
    public var onTimeout: StepError?
    /// When present and false for the input, the wait is skipped.
    public var condition: (@Sendable (Input) -> Bool)?

    /// Creates a wait with a general signal mapping.
    public init(
        _ name: String,
        signals: [String],
        timeout: Duration?,
        onTimeout: StepError?,
        onSignal: @escaping @Sendable (String, JSONValue) -> Result<JSONValue, StepError>
    ) {
        self.name = name
        self.signals = signals
        self.timeout = timeout
        self.onTimeout = onTimeout
        self.onSignal = onSignal
        self.condition = nil
    }

    /// Creates a wait that continues on the signals in `continueOn` (the payload becomes the result)
    /// and fails with the given error on those in `failOn`.
    public init(
        _ name: String,
        continueOn: [String],
        failOn: [String: StepError] = [:],
        timeout: Duration?,
        onTimeout: StepError?
    ) {
        self.init(
            name,
            signals: continueOn + failOn.keys.sorted(),
            timeout: timeout,
            onTimeout: onTimeout
        ) { signal, payload in
            if let error = failOn[signal] { return .failure(error) }
            return .success(payload)
        }
    }

    /// This wait, run only when `condition` holds for the saga's input.
    public func when(_ condition: @escaping @Sendable (Input) -> Bool) -> SignalWaitStep {
        var copy = self
        copy.condition = condition
        return copy
    }
}

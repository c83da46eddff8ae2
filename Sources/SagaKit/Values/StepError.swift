import Foundation

/// The failure of a step, compensation or signal wait, as recorded in history.
///
/// `kind` is a short machine-readable name (`"CardDeclined"`, `"Timeout"`), `message` is for people,
/// and `retryable` says whether another attempt may succeed. A retryable failure also means the
/// outcome is uncertain: the effect may have happened, so the step is compensated when the saga unwinds.
///
/// ```swift
/// throw StepError.nonRetryable(kind: "CardDeclined", message: "the issuer declined the card")
/// ```
public struct StepError: Error, Codable, Sendable, Hashable, CustomStringConvertible {
    /// A short machine-readable name of the failure.
    public var kind: String
    /// A human-readable explanation.
    public var message: String
    /// Whether another attempt may succeed (and whether the effect may have happened).
    public var retryable: Bool

    /// Creates an error.
    public init(kind: String, message: String, retryable: Bool) {
        self.kind = kind
        self.message = message
        self.retryable = retryable
    }

    /// A failure that another attempt cannot fix; the step's effect did not happen.
    public static func nonRetryable(kind: String, message: String) -> StepError {
        StepError(kind: kind, message: message, retryable: false)
    }

    /// A failure that another attempt may fix; the step's effect may have happened.
    public static func retryable(kind: String, message: String) -> StepError {
        StepError(kind: kind, message: message, retryable: true)
    }

    /// The kind recorded when an attempt exceeds its timeout.
    public static let timeoutKind = "Timeout"

    /// The kind recorded when an executor stopped before recording an attempt's outcome.
    public static let interruptedKind = "AttemptInterrupted"

    /// The error recorded when an attempt exceeds its timeout (retryable).
    public static func timeout(after duration: Duration) -> StepError {
        .retryable(kind: timeoutKind, message: "the attempt did not finish within \(SagaTime.describe(duration))")
    }

    /// The error recorded when a new owner finds an attempt started but never finished (retryable: it may have had its effect).
    public static func interrupted(attempt: Int) -> StepError {
        .retryable(
            kind: interruptedKind,
            message: "attempt \(attempt) was started but its executor stopped before recording an outcome")
    }

    /// Classifies any error thrown by a step: a `StepError` as it is, anything else as retryable
    /// with kind = the error's type name and message = its description.
    public static func classify(_ error: any Error) -> StepError {
        if let stepError = error as? StepError { return stepError }
        return .retryable(kind: String(describing: type(of: error)), message: String(describing: error))
    }

    /// `kind: message`.
    public var description: String { "\(kind): \(message)" }
}

import Foundation
import SagaKit

/// The order saga's tunables: the approval rule and each step's timeout and retry policy.
///
/// The defaults suit the provider sandbox and real providers alike; ``OrderSagaSettings/applying(environment:)``
/// overrides them from `APPROVAL_THRESHOLD`, `APPROVAL_TIMEOUT`, `STEP_TIMEOUT_<Step>` and `STEP_MAX_ATTEMPTS_<Step>`.
public struct OrderSagaSettings: Sendable {
    /// A step's per-attempt timeout and retry policy.
    public struct StepSettings: Sendable {
        /// The most one attempt may take.
        public var timeout: Duration
        /// How failed attempts are retried.
        public var retry: RetryPolicy

        /// Creates step settings.
        public init(timeout: Duration, retry: RetryPolicy) {
            self.timeout = timeout
            self.retry = retry
        }
    }

    /// Orders with a total strictly above this wait for an operator's approval.
    public var approvalThreshold: Decimal
    /// How long an order waits for approval before it counts as rejected.
    public var approvalTimeout: Duration
    /// Settings per step and compensation name.
    public var steps: [String: StepSettings]

    /// The defaults: approval above 1000.00 within 24 h; ChargePayment times out after 2 s.
    public static let defaults = OrderSagaSettings(
        approvalThreshold: Decimal(1000),
        approvalTimeout: .seconds(24 * 3600),
        steps: [
            OrderSagaStep.reserveInventory: StepSettings(
                timeout: .seconds(10),
                retry: RetryPolicy(
                    initialInterval: .milliseconds(200), backoffCoefficient: 2, maximumInterval: .seconds(10),
                    maximumAttempts: 8, nonRetryableErrorKinds: ["InsufficientStock"], jitter: 0.2)),
            OrderSagaStep.chargePayment: StepSettings(
                timeout: .seconds(2),
                retry: RetryPolicy(
                    initialInterval: .milliseconds(300), backoffCoefficient: 2, maximumInterval: .seconds(10),
                    maximumAttempts: 8, nonRetryableErrorKinds: ["PaymentDeclined", "ChargeVoided"], jitter: 0.2)),
            OrderSagaStep.createShipment: StepSettings(
                timeout: .seconds(5),
                retry: RetryPolicy(
                    initialInterval: .milliseconds(300), backoffCoefficient: 2, maximumInterval: .seconds(10),
                    maximumAttempts: 8, nonRetryableErrorKinds: ["AddressRejected", "ShipmentVoided"], jitter: 0.2)),
            // A confirmation that cannot be sent is never a reason to refund a shipped order: after about half an
            // hour of retries the saga goes STUCK, and an operator's retry (or refund) resumes it.
            OrderSagaStep.sendConfirmation: StepSettings(
                timeout: .seconds(5),
                retry: RetryPolicy(
                    initialInterval: .milliseconds(500), backoffCoefficient: 2, maximumInterval: .seconds(60),
                    maximumAttempts: 36, jitter: 0.2)),
            OrderSagaStep.cancelShipment: compensation,
            OrderSagaStep.refundPayment: compensation,
            OrderSagaStep.releaseInventory: compensation,
        ])

    /// Compensations retry patiently; when they give up the saga is STUCK until an operator retries.
    static let compensation = StepSettings(
        timeout: .seconds(10),
        retry: RetryPolicy(
            initialInterval: .milliseconds(500), backoffCoefficient: 2, maximumInterval: .seconds(30),
            maximumAttempts: 12, jitter: 0.2))

    /// The settings of `step` (the compensation defaults for an unknown name).
    public func settings(for step: String) -> StepSettings { steps[step] ?? Self.compensation }

    /// These settings with overrides from the environment; throws a message naming the bad variable.
    public func applying(environment: [String: String]) throws -> OrderSagaSettings {
        var settings = self
        if let text = environment["APPROVAL_THRESHOLD"] {
            guard let threshold = try? Money(parsing: text, currency: "USD").amount else {
                throw SettingsError(variable: "APPROVAL_THRESHOLD", message: "must be a decimal such as 1000.00")
            }
            settings.approvalThreshold = threshold
        }
        if let text = environment["APPROVAL_TIMEOUT"] {
            guard let timeout = DurationText.parse(text) else {
                throw SettingsError(
                    variable: "APPROVAL_TIMEOUT", message: "must be a duration such as 24h, 30m, 45s or 500ms")
            }
            settings.approvalTimeout = timeout
        }
        for name in OrderSagaStep.all {
            if let text = environment["STEP_TIMEOUT_\(name)"] {
                guard let timeout = DurationText.parse(text) else {
                    throw SettingsError(variable: "STEP_TIMEOUT_\(name)", message: "must be a duration such as 2s")
                }
                settings.steps[name, default: Self.compensation].timeout = timeout
            }
            if let text = environment["STEP_MAX_ATTEMPTS_\(name)"] {
                guard let attempts = Int(text), attempts >= 1 else {
                    throw SettingsError(
                        variable: "STEP_MAX_ATTEMPTS_\(name)",
                        message:
                            "must be a whole number from 1 (every step gives up some time, so no history grows without bound)"
                    )
                }
                settings.steps[name, default: Self.compensation].retry.maximumAttempts = attempts
            }
        }
        return settings
    }
}

/// A configuration variable with a value that does not parse.
public struct SettingsError: Error, Sendable, CustomStringConvertible {
    /// The variable.
    public let variable: String
    /// What it must be.
    public let message: String

    public var description: String { "\(variable) \(message)" }
}

/// Durations written as `24h`, `30m`, `45s`, `500ms` or a plain number of seconds.
public enum DurationText {
    /// The duration `text` names, or nil.
    public static func parse(_ text: String) -> Duration? {
        let units: [(suffix: String, scale: Double)] = [("ms", 0.001), ("h", 3600), ("m", 60), ("s", 1)]
        for unit in units where text.hasSuffix(unit.suffix) {
            guard let value = Double(text.dropLast(unit.suffix.count)), value >= 0, value.isFinite else { return nil }
            return .milliseconds(Int64((value * unit.scale * 1000).rounded()))
        }
        guard let seconds = Double(text), seconds >= 0, seconds.isFinite else { return nil }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }
}

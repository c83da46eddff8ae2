import Foundation

/// A step that performs an effect: an async action, its retry policy and per-attempt timeout,
/// an optional compensation and an optional condition.
///
/// ```swift
/// ActionStep<OrderInput>("ChargePayment", timeout: .seconds(2)) { context in
///     try await payments.charge(context.input.total, key: context.idempotencyKey)
/// }
/// .compensate("RefundPayment") { context in
///     try await payments.refund(key: context.stepIdempotencyKey)
/// }
/// .retry(RetryPolicy(initialInterval: .milliseconds(200), maximumAttempts: 4))
/// ```
public struct ActionStep<Input: Codable & Sendable>: Sendable {
    /// The step's name, unique within its definition; it appears in history and in idempotency keys.
    public let name: String
    /// How failed attempts are retried.
    public var retryPolicy: RetryPolicy
    /// The most time one attempt may take; a slower attempt is cancelled and fails with kind `"Timeout"` (retryable).
    public var timeout: Duration
    /// What undoes this step when the saga unwinds, if anything.
    public var compensation: Compensation<Input>?
    /// When present and false for the input, the step is skipped (recorded as `StepSkipped`).
    public var condition: (@Sendable (Input) -> Bool)?
    /// Whether running out of retries leaves the saga STUCK (for an operator's retry) instead of compensating:
    /// for a step after which undoing is worse than waiting, such as a confirmation after the goods shipped.
    public var stuckWhenExhausted = false
    let action: @Sendable (StepContext<Input>) async throws -> JSONValue

    /// Creates a step whose action returns a `Codable` result, recorded in history.
    ///
    /// A step with nothing to report returns `JSONValue.null` or an empty struct.
    public init<Result: Codable & Sendable>(
        _ name: String,
        retryPolicy: RetryPolicy = .standard,
        timeout: Duration = .seconds(10),
        action: @escaping @Sendable (StepContext<Input>) async throws -> Result
    ) {
        self.name = name
        self.retryPolicy = retryPolicy
        self.timeout = timeout
        self.compensation = nil
        self.condition = nil
        self.action = { context in
            let result = try await action(context)
            do {
                return try JSONValue(encoding: result)
            } catch {
                throw StepError.nonRetryable(
                    kind: "ResultUnencodable", message: "\(name) returned a value that does not encode: \(error)")
            }
        }
    }

    /// This step with a compensation named `name`.
    public func compensate(
        _ name: String,
        retryPolicy: RetryPolicy = .compensationDefault,
        timeout: Duration = .seconds(10),
        action: @escaping @Sendable (CompensationContext<Input>) async throws -> Void
    ) -> ActionStep {
        var copy = self
        copy.compensation = Compensation(name, retryPolicy: retryPolicy, timeout: timeout, action: action)
        return copy
    }

    /// This step with another retry policy.
    public func retry(_ policy: RetryPolicy) -> ActionStep {
        var copy = self
        copy.retryPolicy = policy
        return copy
    }

    /// This step, leaving the saga STUCK when a retryable failure exhausts its retries (a non-retryable one
    /// still compensates); an operator's retry resumes it with a fresh attempt budget.
    public func stuckWhenExhausted(_ stuck: Bool = true) -> ActionStep {
        var copy = self
        copy.stuckWhenExhausted = stuck
        return copy
    }

    /// This step with another per-attempt timeout.
    public func timeout(_ timeout: Duration) -> ActionStep {
        var copy = self
        copy.timeout = timeout
        return copy
    }

    /// This step, run only when `condition` holds for the saga's input (otherwise recorded as skipped).
    public func when(_ condition: @escaping @Sendable (Input) -> Bool) -> ActionStep {
        var copy = self
        copy.condition = condition
        return copy
    }
}

/// What undoes an ``ActionStep``: its own name, action, retry policy and per-attempt timeout.
///
/// Compensations retry by their policy; when it is exhausted (or the error is non-retryable) the saga
/// becomes STUCK until an operator asks for a retry. A compensation is never skipped.
public struct Compensation<Input: Codable & Sendable>: Sendable {
    /// The compensation's name, unique within its definition.
    public let name: String
    /// How failed attempts are retried.
    public var retryPolicy: RetryPolicy
    /// The most time one attempt may take.
    public var timeout: Duration
    let action: @Sendable (CompensationContext<Input>) async throws -> Void

    /// Creates a compensation.
    public init(
        _ name: String,
        retryPolicy: RetryPolicy = .compensationDefault,
        timeout: Duration = .seconds(10),
        action: @escaping @Sendable (CompensationContext<Input>) async throws -> Void
    ) {
        self.name = name
        self.retryPolicy = retryPolicy
        self.timeout = timeout
        self.action = action
    }
}

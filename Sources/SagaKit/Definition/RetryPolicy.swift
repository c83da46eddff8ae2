import Foundation

/// How often and how fast a step or compensation is retried after a retryable failure.
///
/// The delay before attempt `n` (n ≥ 2) is
/// `min(initialInterval × backoffCoefficient^(n-2), maximumInterval) × (1 + jitter × (2u − 1))`
/// for a uniform random `u` in 0…1, rounded to whole milliseconds.
///
/// ```swift
/// let policy = RetryPolicy(initialInterval: .milliseconds(100), maximumInterval: .seconds(5), maximumAttempts: 4)
/// policy.delay(beforeAttempt: 3, randomUnit: 0.5)   // 200 ms
/// ```
public struct RetryPolicy: Sendable, Hashable {
    /// The delay before the second attempt.
    public var initialInterval: Duration
    /// The factor each further delay grows by.
    public var backoffCoefficient: Double
    /// The largest delay (before jitter).
    public var maximumInterval: Duration
    /// The most attempts in total, the first included; 0 means unlimited.
    public var maximumAttempts: Int
    /// Error kinds that are never retried, whatever the error says.
    public var nonRetryableErrorKinds: Set<String>
    /// The fraction (0…1) of the delay added or removed at random.
    public var jitter: Double

    /// Creates a policy.
    public init(
        initialInterval: Duration = .seconds(1),
        backoffCoefficient: Double = 2,
        maximumInterval: Duration = .seconds(60),
        maximumAttempts: Int = 5,
        nonRetryableErrorKinds: Set<String> = [],
        jitter: Double = 0.1
    ) {
        self.initialInterval = initialInterval
        self.backoffCoefficient = max(1, backoffCoefficient)
        self.maximumInterval = maximumInterval
        self.maximumAttempts = max(0, maximumAttempts)
        self.nonRetryableErrorKinds = nonRetryableErrorKinds
        self.jitter = min(1, max(0, jitter))
    }

    /// The default for steps: 1 s doubling up to 60 s, 5 attempts, 10 % jitter.
    public static let standard = RetryPolicy()

    /// The default for compensations: 1 s doubling up to 60 s, 10 attempts, 10 % jitter; exhausting them leaves the saga STUCK.
    public static let compensationDefault = RetryPolicy(maximumAttempts: 10)

    /// A single attempt, no retry.
    public static let never = RetryPolicy(maximumAttempts: 1, jitter: 0)

    /// The delay before attempt `attempt` (≥ 2) for a uniform random `randomUnit` in 0…1.
    public func delay(beforeAttempt attempt: Int, randomUnit: Double) -> Duration {
        let initial = Double(SagaTime.milliseconds(initialInterval))
        let maximum = Double(SagaTime.milliseconds(maximumInterval))
        let exponent = Double(max(0, attempt - 2))
        let base = min(initial * pow(backoffCoefficient, exponent), maximum)
        let unit = min(1, max(0, randomUnit))
        let jittered = base * (1 + jitter * (2 * unit - 1))
        return .milliseconds(Int64(jittered.rounded()))
    }

    /// The smallest and largest delay before `attempt` that jitter can produce.
    public func delayBounds(beforeAttempt attempt: Int) -> ClosedRange<Duration> {
        delay(beforeAttempt: attempt, randomUnit: 0)...delay(beforeAttempt: attempt, randomUnit: 1)
    }

    /// Whether another attempt is allowed after `attemptsMade` attempts counted against this policy.
    public func allowsAnotherAttempt(after attemptsMade: Int) -> Bool {
        maximumAttempts == 0 || attemptsMade < maximumAttempts
    }

    /// `error` as the policy sees it: kinds listed in ``nonRetryableErrorKinds`` become non-retryable.
    public func classify(_ error: StepError) -> StepError {
        guard error.retryable, nonRetryableErrorKinds.contains(error.kind) else { return error }
        var classified = error
        classified.retryable = false
        return classified
    }
}

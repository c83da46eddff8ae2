import Foundation

/// What an attempt carries to keep its effects from landing after a later attempt of the same saga took over.
///
/// Business writes that an attempt makes should be conditional on ``token`` (keep the largest token seen per
/// record, refuse a smaller one). A call that cannot be made conditional — a provider's API — is preceded by
/// ``checkLease()``, which fails when this executor no longer holds the saga's lease (it was taken over, or ran out
/// while the process was paused) or the attempt itself was given up (timed out).
///
/// ```swift
/// try context.fence.checkLease()
/// let charge = try await gateway.charge(…, idempotencyKey: context.idempotencyKey)
/// ```
public struct AttemptFence: Sendable {
    /// The attempt's fencing token.
    public let token: FencingToken
    let leaseCheck: @Sendable () -> StepError?

    /// Creates a fence; `leaseCheck` answers the reason the attempt may no longer act, or `nil`.
    public init(token: FencingToken, leaseCheck: @escaping @Sendable () -> StepError? = { nil }) {
        self.token = token
        self.leaseCheck = leaseCheck
    }

    /// Throws when the attempt must not start an effect any more: `CancellationError` when it was given up
    /// (timed out or the engine stops), a retryable ``StepError`` of kind `"LeaseLost"` when the lease is gone.
    public func checkLease() throws {
        try Task.checkCancellation()
        if let error = leaseCheck() { throw error }
    }
}

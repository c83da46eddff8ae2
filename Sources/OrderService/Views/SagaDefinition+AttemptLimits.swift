import SagaKit

extension SagaDefinition {
    /// The most attempts each action step and each compensation may make, by name, as their retry policies say;
    /// unlimited ones (a policy's 0) are left out.
    ///
    /// ```swift
    /// orders.definition.attemptLimits["ChargePayment"]   // 5 with the default policy
    /// ```
    var attemptLimits: [String: Int] {
        var limits: [String: Int] = [:]
        for case .action(let step) in steps {
            if step.retryPolicy.maximumAttempts > 0 { limits[step.name] = step.retryPolicy.maximumAttempts }
            if let compensation = step.compensation, compensation.retryPolicy.maximumAttempts > 0 {
                limits[compensation.name] = compensation.retryPolicy.maximumAttempts
            }
        }
        return limits
    }
}

import Foundation

extension RetryPolicy: Codable {
    enum CodingKeys: String, CodingKey {
        case initialIntervalMs, backoffCoefficient, maximumIntervalMs, maximumAttempts, nonRetryableErrorKinds, jitter
    }

    /// Decodes a policy whose durations are whole milliseconds.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            initialInterval: .milliseconds(try container.decode(Int64.self, forKey: .initialIntervalMs)),
            backoffCoefficient: try container.decode(Double.self, forKey: .backoffCoefficient),
            maximumInterval: .milliseconds(try container.decode(Int64.self, forKey: .maximumIntervalMs)),
            maximumAttempts: try container.decode(Int.self, forKey: .maximumAttempts),
            nonRetryableErrorKinds: try container.decodeIfPresent(Set<String>.self, forKey: .nonRetryableErrorKinds)
                ?? [],
            jitter: try container.decodeIfPresent(Double.self, forKey: .jitter) ?? 0
        )
    }

    /// Encodes durations as whole milliseconds.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(SagaTime.milliseconds(initialInterval), forKey: .initialIntervalMs)
        try container.encode(backoffCoefficient, forKey: .backoffCoefficient)
        try container.encode(SagaTime.milliseconds(maximumInterval), forKey: .maximumIntervalMs)
        try container.encode(maximumAttempts, forKey: .maximumAttempts)
        try container.encode(nonRetryableErrorKinds.sorted(), forKey: .nonRetryableErrorKinds)
        try container.encode(jitter, forKey: .jitter)
    }
}

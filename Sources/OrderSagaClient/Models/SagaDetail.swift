/// `GET /v1/orders/{id}/saga`: a saga's status, each step's progress and its whole history.
public struct SagaDetail: Decodable, Sendable {
    /// One step or compensation and how it went.
    public struct Step: Decodable, Sendable {
        /// A step's last failure.
        public struct Failure: Decodable, Sendable {
            public let kind: String
            public let message: String
            public let retryable: Bool?
        }

        public let name: String
        /// `action` or `compensation`.
        public let kind: String?
        public let status: String
        public let attempts: Int
        public let lastError: Failure?
        public let startedAt: String?
        public let completedAt: String?
        /// When a failed attempt is tried again.
        public let nextAttemptAt: String?
        public let deadline: String?
    }

    public let orderId: String
    public let sagaId: String
    public let status: String
    public let step: String?
    public let startedAt: String?
    public let updatedAt: String?
    public let steps: [Step]
    public let history: [SagaEvent]
}

/// A history event, as `GET …/saga` and the event stream show it.
public struct SagaEvent: Decodable, Sendable {
    /// 1, 2, 3, … per saga.
    public let seq: Int64
    /// Such as `StepStarted` or `SagaCompleted`.
    public let type: String
    public let step: String?
    public let attempt: Int?
    /// RFC 3339.
    public let at: String
    /// The event's details.
    public let data: JSONValue?

    /// The event types after which a saga does nothing more (and the event stream closes).
    public static let terminalTypes: Set<String> = [
        "SagaCompleted", "SagaCompensated", "SagaCancelled", "SagaReverted",
    ]

    /// Whether the saga ends with this event.
    public var isTerminal: Bool { Self.terminalTypes.contains(type) }
}

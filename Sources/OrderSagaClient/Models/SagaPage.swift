/// One page of `GET /v1/sagas`: sagas newest first, and the cursor of the next page.
public struct SagaPage: Decodable, Sendable {
    /// One saga of the list.
    public struct Item: Decodable, Sendable {
        public let sagaId: String
        public let orderId: String?
        public let status: String
        public let step: String?
        /// The current step's attempt, when the service reports it.
        public let attempt: Int?
        public let customerId: String?
        public let total: Money?
        public let startedAt: String?
        public let updatedAt: String?
    }

    public let items: [Item]
    /// `nil` on the last page.
    public let nextCursor: String?
}

/// `GET /v1/sagas/stats`: how many sagas are in each status.
public struct SagaStats: Decodable, Sendable {
    public let counts: [String: Int]
    public let total: Int
}

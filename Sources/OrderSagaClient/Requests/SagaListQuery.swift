/// The filters and page of `GET /v1/sagas`.
public struct SagaListQuery: Sendable, Equatable {
    /// Only sagas in this status (`RUNNING`, `STUCK`, …).
    public var status: String?
    /// Only this customer's sagas.
    public var customerId: String?
    /// At most this many.
    public var limit: Int?
    /// The page after the one that gave this cursor.
    public var cursor: String?

    public init(status: String? = nil, customerId: String? = nil, limit: Int? = nil, cursor: String? = nil) {
        self.status = status
        self.customerId = customerId
        self.limit = limit
        self.cursor = cursor
    }

    /// The query's parameters, the unset ones left out.
    var parameters: [(String, String)] {
        [("status", status), ("customerId", customerId), ("limit", limit.map(String.init)), ("cursor", cursor)]
            .compactMap { name, value in value.map { (name, $0) } }
    }
}

/// The body of `POST /v1/sagas/retry`: retry every saga in a status.
public struct BatchRetryRequest: Encodable, Sendable {
    /// The status whose sagas are retried (`STUCK`).
    public var status: String
    /// Recorded in each saga's history.
    public var reason: String?
    /// At most this many sagas.
    public var limit: Int?

    public init(status: String, reason: String? = nil, limit: Int? = nil) {
        self.status = status
        self.reason = reason
        self.limit = limit
    }
}

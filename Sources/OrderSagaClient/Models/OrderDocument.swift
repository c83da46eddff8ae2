/// `GET /v1/orders/{id}`: the order and its saga's summary.
public struct OrderDocument: Decodable, Sendable {
    /// One line of the order.
    public struct Line: Decodable, Sendable {
        public let sku: String
        public let name: String?
        public let quantity: Int
        public let unitPrice: Money?
        public let lineTotal: Money?
    }

    /// Where the saga stands.
    public struct SagaSummary: Decodable, Sendable {
        public let sagaId: String
        public let status: String
        public let step: String?
    }

    /// The order's payment.
    public struct Payment: Decodable, Sendable {
        /// Such as `succeeded` or `refunded`.
        public let status: String
        public let amount: Money?
        public let chargeId: String?
        public let refundId: String?
    }

    /// The order's shipment.
    public struct Shipment: Decodable, Sendable {
        /// `created` or `cancelled`.
        public let status: String
        public let shipmentId: String?
    }

    public let orderId: String
    public let customerId: String
    public let items: [Line]
    public let total: Money
    public let placedAt: String?
    public let saga: SagaSummary?
    /// The payment, once one was made (`null` before, or from a service that does not show it).
    public let payment: Payment?
    /// The shipment, once one was made.
    public let shipment: Shipment?
}

/// The answer to `POST /v1/orders`.
public struct PlacedOrder: Decodable, Sendable {
    public let orderId: String
    public let sagaId: String
    public let status: String
}

/// The answer to approve, reject, cancel, refund and retry.
public struct CommandAnswer: Decodable, Sendable {
    public let orderId: String
    public let sagaId: String
    public let status: String
    public let action: String
    /// What happens next, for people.
    public let detail: String?
}

/// The answer to `POST /v1/sagas/retry`.
public struct BatchRetryResult: Decodable, Sendable {
    /// An order whose saga was not retried, and why.
    public struct Failure: Decodable, Sendable {
        public let orderId: String
        public let detail: String
    }

    public let retried: [String]
    public let failed: [Failure]
}

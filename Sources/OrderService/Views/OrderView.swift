import Foundation
import Orders
import SagaKit

/// An order as the API shows it: the business document, its payment and shipment records, and its saga's summary.
struct OrderView: Encodable {
    struct SagaSummaryView: Encodable {
        let sagaId: String
        let status: OrderSagaStatus
        @ExplicitNull var step: String?
    }

    /// The order's payment record: the provider's charge and refund references.
    struct PaymentView: Encodable {
        let status: String
        let amount: Money
        @ExplicitNull var chargeId: String?
        @ExplicitNull var chargedAt: Date?
        @ExplicitNull var refundId: String?
        @ExplicitNull var settledAt: Date?

        init(_ payment: Payment) {
            status = payment.status.rawValue
            amount = payment.amount
            chargeId = payment.chargeId
            chargedAt = payment.chargedAt
            refundId = payment.refundId
            settledAt = payment.settledAt
        }
    }

    /// The order's shipment record: the carrier's reference.
    struct ShipmentView: Encodable {
        let status: String
        @ExplicitNull var shipmentId: String?
        @ExplicitNull var createdAt: Date?
        @ExplicitNull var cancelledAt: Date?

        init(_ shipment: Shipment) {
            status = shipment.status.rawValue
            shipmentId = shipment.shipmentId
            createdAt = shipment.createdAt
            cancelledAt = shipment.cancelledAt
        }
    }

    let orderId: String
    let customerId: String
    let items: [OrderLine]
    let total: Money
    let shippingAddress: ShippingAddress
    let placedAt: Date
    let saga: SagaSummaryView
    @ExplicitNull var payment: PaymentView?
    @ExplicitNull var shipment: ShipmentView?

    init(order: Order, saga: SagaRecord?, payment: Payment?, shipment: Shipment?) {
        orderId = order.id.rawValue
        customerId = order.customerId
        items = order.items
        total = order.total
        shippingAddress = order.shippingAddress
        placedAt = order.placedAt
        self.saga = SagaSummaryView(
            sagaId: order.sagaId, status: saga.map { OrderSagaStatus($0.status) } ?? .running, step: saga?.currentStep)
        self.payment = payment.map(PaymentView.init)
        self.shipment = shipment.map(ShipmentView.init)
    }
}

/// The answer to placing an order, the same for the first request and every replay of it.
///
/// The saga has just started when the first answer is given, so `status` is always `RUNNING` here: a replay
/// returns the first answer, not the saga's progress since (that is `GET /v1/orders/{orderId}`).
struct PlacedOrderView: Encodable {
    let orderId: String
    let sagaId: String
    let status: OrderSagaStatus

    init(_ order: Order) {
        orderId = order.id.rawValue
        sagaId = order.sagaId
        status = .running
    }
}

/// A catalog item with its stock.
struct ProductView: Encodable {
    let sku: String
    let name: String
    let price: Money
    let stock: Int64
    let reserved: Int64
    let updatedAt: Date

    init(_ product: Product) {
        sku = product.sku
        name = product.name
        price = product.price
        stock = product.stock
        reserved = product.reserved
        updatedAt = product.updatedAt
    }
}

/// The answer to approve, reject, cancel and refund: what was accepted, where the saga stands now, and where to
/// follow it (the saga acts on the command after this answer, so `status` is often still the one before).
struct CommandView: Encodable {
    let orderId: String
    let sagaId: String
    let status: OrderSagaStatus
    let accepted: Bool
    /// The command: `approve`, `reject`, `cancel`, `refund` or `retry`.
    let action: String
    /// A sentence for people: what happens next.
    let detail: String
    /// The saga's state (`GET`).
    let saga: String
    /// Its live events (Server-Sent Events).
    let events: String

    init(orderId: String, sagaId: String, status: OrderSagaStatus, action: String) {
        self.orderId = orderId
        self.sagaId = sagaId
        self.status = status
        self.accepted = true
        self.action = action
        let next =
            switch action {
            case "approve": "the order goes on to be charged and shipped"
            case "reject": "the order is compensated: its stock is released"
            case "cancel": "the order stops and what was done is undone; it ends CANCELLED"
            case "retry": "the stuck step is tried again with a fresh budget of attempts"
            default: "the shipment is cancelled, the payment refunded and the goods returned to stock; it ends REFUNDED"
            }
        detail = "\(action) accepted: \(next)"
        saga = "/v1/orders/\(orderId)/saga"
        events = "/v1/orders/\(orderId)/events"
    }
}

/// A page of `GET /v1/products`, in SKU order.
struct ProductPageView: Encodable {
    let items: [ProductView]
    @ExplicitNull var nextCursor: String?
}

/// `POST /v1/sagas/retry`: the orders whose stuck saga will be tried again, and those it could not retry.
struct BatchRetryView: Encodable {
    struct FailureView: Encodable {
        let orderId: String
        let detail: String
    }

    let retried: [String]
    let failed: [FailureView]

    init(_ outcome: BatchRetryOutcome) {
        retried = outcome.retried
        failed = outcome.failed.map { FailureView(orderId: $0.orderId, detail: $0.detail) }
    }
}

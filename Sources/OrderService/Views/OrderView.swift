import Foundation
import Orders
import SagaKit

/// An order as the API shows it: the business document plus its saga's summary.
struct OrderView: Encodable {
    struct SagaSummaryView: Encodable {
        let sagaId: String
        let status: OrderSagaStatus
        @ExplicitNull var step: String?
    }

    let orderId: String
    let customerId: String
    let items: [OrderLine]
    let total: Money
    let shippingAddress: ShippingAddress
    let placedAt: Date
    let saga: SagaSummaryView

    init(order: Order, saga: SagaRecord?) {
        orderId = order.id.rawValue
        customerId = order.customerId
        items = order.items
        total = order.total
        shippingAddress = order.shippingAddress
        placedAt = order.placedAt
        self.saga = SagaSummaryView(
            sagaId: order.sagaId, status: saga.map { OrderSagaStatus($0.status) } ?? .running, step: saga?.currentStep)
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
    /// The command: `approve`, `reject`, `cancel` or `refund`.
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
            default: "the shipment is cancelled, the payment refunded and the goods returned to stock; it ends REFUNDED"
            }
        detail = "\(action) accepted: \(next)"
        saga = "/v1/orders/\(orderId)/saga"
        events = "/v1/orders/\(orderId)/events"
    }
}

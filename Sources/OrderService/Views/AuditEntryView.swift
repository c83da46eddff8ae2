import Foundation
import Orders
import SagaKit

/// One line of `GET /v1/audit`: who did what, when, in which role and why.
struct AuditEntryView: Encodable {
    /// What a product change set.
    struct ProductView: Encodable {
        let name: String
        let price: Money
        let stock: Int64
    }

    let id: String
    let at: Date
    /// A key's fingerprint or a token's subject; null for a command recorded without one.
    @ExplicitNull var actor: String?
    @ExplicitNull var role: String?
    /// `approve`, `reject`, `cancel`, `refund`, `retry` or `product.put`.
    let action: String
    @ExplicitNull var reason: String?
    @ExplicitNull var orderId: String?
    @ExplicitNull var sku: String?
    @ExplicitNull var product: ProductView?

    /// Where the entry sits in the trail.
    var position: SagaCommandPosition { SagaCommandPosition(at: at, id: id) }

    init(_ entry: SagaCommandEntry) {
        id = entry.signal.id
        at = entry.signal.at
        actor = entry.signal.payload["actor"]?.stringValue
        role = entry.signal.payload["role"]?.stringValue
        reason = entry.signal.payload["reason"]?.stringValue
        action =
            switch entry.signal.name {
            case SagaSignal.revert: "refund"
            default: entry.signal.name
            }
        orderId = OrderID(sagaId: entry.sagaId)?.rawValue
    }

    init(_ change: ProductChange) {
        id = change.id
        at = change.at
        actor = change.actor
        role = change.role
        reason = change.reason
        action = "product.put"
        sku = change.sku
        product = ProductView(name: change.name, price: change.price, stock: change.stock)
    }
}

/// A page of `GET /v1/audit`.
struct AuditPageView: Encodable {
    let items: [AuditEntryView]
    @ExplicitNull var nextCursor: String?
}

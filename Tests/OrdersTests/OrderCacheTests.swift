import Foundation
import Testing

@testable import Orders

/// The per-process order cache holds about the orders in flight, and never more than its bound.
@Suite("Order cache")
struct OrderCacheTests {
    static func order(_ index: Int) -> Order {
        let id = OrderID.generate()
        let price = Money(amount: 1, currency: "EUR")
        return Order(
            id: id, customerId: "c-\(index)",
            items: [OrderLine(sku: "SKU-1", name: "One", quantity: 1, unitPrice: price, lineTotal: price)],
            total: price, paymentToken: "tok_visa",
            shippingAddress: ShippingAddress(name: "N", line1: "L", city: "C", postalCode: "P", country: "DE"),
            sagaId: id.sagaId, placedAt: Date(), idempotencyKey: nil, idempotencyScope: nil, sagaStartPending: nil)
    }

    @Test("orders forgotten when their sagas end leave the cache empty, however many passed through it")
    func forgottenOrdersLeaveNothing() {
        let cache = OrderCache(capacity: 8)
        for index in 0..<1_000 {
            let order = Self.order(index)
            cache.remember(order)
            #expect(cache.order(order.id) == order)
            cache.forget(order.id)
            #expect(cache.order(order.id) == nil)
        }
        #expect(cache.count == 0)
    }

    @Test("past its bound the cache forgets the oldest orders first, also after forgetting some by hand")
    func boundEvictsOldestFirst() {
        let cache = OrderCache(capacity: 4)
        let orders = (0..<40).map(Self.order)
        for (index, order) in orders.enumerated() {
            cache.remember(order)
            if index % 3 == 0 { cache.forget(order.id) }
            #expect(cache.count <= 4)
        }
        let kept = orders.filter { cache.order($0.id) != nil }.map(\.customerId)
        // Every third order was forgotten; remembering the last (then forgotten) pushed out the oldest kept one.
        #expect(kept == ["c-35", "c-37", "c-38"])
    }
}

extension OrderCacheTests {
    @Test("the queue of ids behind the cache does not outgrow the orders still in it")
    func queueFollowsLiveOrders() {
        let cache = OrderCache(capacity: 4096)
        for index in 0..<10_000 {
            let order = Self.order(index)
            cache.remember(order)
            #expect(cache.queuedIds <= 2 * cache.count + 64, "after \(index + 1) orders")
            cache.forget(order.id)
        }
    }

    @Test("an order cached again after it was forgotten is evicted by its latest arrival, not its first")
    func requeuedOrderKeepsItsPlace() {
        let cache = OrderCache(capacity: 3)
        let orders = (0..<4).map(Self.order)
        cache.remember(orders[0])
        cache.forget(orders[0].id)
        cache.remember(orders[1])
        cache.remember(orders[0])
        cache.remember(orders[2])
        cache.remember(orders[3])
        #expect(cache.order(orders[1].id) == nil, "the oldest cached order goes first")
        #expect(cache.order(orders[0].id) != nil, "re-cached after order 1, so kept")
    }
}

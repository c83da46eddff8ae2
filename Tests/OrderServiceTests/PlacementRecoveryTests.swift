import Foundation
import Mongo
import Testing

@testable import Orders

/// An order stored just before a crash, whose saga never started, still gets its saga.
@Suite("Placement recovery over HTTP")
struct PlacementRecoveryTests {
    @Test("an order stored without its saga (a crash between the two writes) gets its saga and completes")
    func strandedOrderGetsItsSaga() async throws {
        try await ServiceHarness.run(environment: ["PLACEMENT_RECOVERY_GRACE": "300ms"]) { service in
            try await service.putProduct("SKU-1", price: "5.00", stock: 3)
            let order = try Self.strandedOrder()
            let id = order.id
            try await service.database.collection("orders", as: Order.self).insertOne(order)

            let saga = try await service.waitForTerminal(id.rawValue, timeout: .seconds(20))
            #expect(saga["status"] as? String == "COMPLETED")
            #expect(try await service.ledger("charges", orderId: id.rawValue).count == 1)
            let stored = try await service.database.collection("orders").findOne(["_id": .string(id.rawValue)])
            #expect(stored?["sagaStartPending"] == nil, "the mark is cleared once the saga exists")
        }
    }

    @Test("the events of an order whose saga does not exist yet are 404, not a stream that ends at once")
    func eventsOfAStrandedOrder() async throws {
        try await ServiceHarness.run(environment: ["PLACEMENT_RECOVERY_GRACE": "3600s"]) { service in
            let order = try Self.strandedOrder()
            try await service.database.collection("orders", as: Order.self).insertOne(order)

            let answer = try await service.request(.GET, "/v1/orders/\(order.id.rawValue)/events")
            #expect(answer.status == 404)
            #expect(answer.text.contains("the saga of order"))
        }
    }

    /// An order as placement stores it, marked as waiting for its saga, placed 5 s ago.
    static func strandedOrder() throws -> Order {
        let id = OrderID.generate()
        let price = try Money(parsing: "5.00", currency: "USD")
        return Order(
            id: id, customerId: "c-42",
            items: [OrderLine(sku: "SKU-1", name: "Widget", quantity: 1, unitPrice: price, lineTotal: price)],
            total: price, paymentToken: "tok_visa",
            shippingAddress: ShippingAddress(
                name: "Ada", line1: "1 Main St", city: "Springfield", postalCode: "12345", country: "US"),
            sagaId: id.sagaId, placedAt: Date().addingTimeInterval(-5), idempotencyKey: nil, sagaStartPending: true)
    }
}

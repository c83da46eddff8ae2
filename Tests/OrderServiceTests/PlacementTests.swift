import Foundation
import Testing

/// Placing orders: idempotency keys and concurrency against limited stock.
@Suite("Placing orders over HTTP")
struct PlacementTests {
    @Test("the same Idempotency-Key twice gives one order and the same answer; another body is 422")
    func idempotencyKey() async throws {
        try await ServiceHarness.run { service in
            try await service.putProduct("SKU-1", stock: 10)
            let body = ServiceHarness.orderBody()
            let first = try await service.request(
                .POST, "/v1/orders", body: body, headers: [("Idempotency-Key", "key-1")])
            let second = try await service.request(
                .POST, "/v1/orders", body: body, headers: [("Idempotency-Key", "key-1")])
            #expect(first.status == 202)
            #expect(second.status == 202)
            #expect(try first.string("orderId") == second.string("orderId"))
            #expect(first.headers.first(name: "location") == second.headers.first(name: "location"))
            #expect(try await service.count("orders") == 1)
            #expect(try await service.sagaCount() == 1)

            let other = ServiceHarness.orderBody(items: [("SKU-1", 2)])
            let refused = try await service.request(
                .POST, "/v1/orders", body: other, headers: [("Idempotency-Key", "key-1")])
            #expect(refused.status == 422)
            #expect(try refused.problemFields == ["Idempotency-Key"])
            #expect(try await service.count("orders") == 1)

            let orderId = try #require(try first.string("orderId"))
            try await service.waitForTerminal(orderId)
            #expect(try await service.ledger("charges", orderId: orderId).count == 1)

            let late = try await service.request(
                .POST, "/v1/orders", body: body, headers: [("Idempotency-Key", "key-1")])
            #expect(late.status == 202)
            #expect(late.text == first.text, "a replay repeats the first answer, even after the saga has finished")
            #expect(late.headers.first(name: "idempotent-replayed") == "true")
            #expect(first.headers.first(name: "idempotent-replayed") == nil)
            #expect(try await service.sagaCount() == 1)
        }
    }

    @Test("identifiers and text of 256 characters are accepted, as the limits say")
    func longestStrings() async throws {
        try await ServiceHarness.run { service in
            let sku = "S" + String(repeating: "k", count: 255)
            try await service.putProduct(sku, stock: 1, name: String(repeating: "n", count: 256))
            let customer = "c" + String(repeating: "x", count: 255)
            let placed = try await service.request(
                .POST, "/v1/orders",
                body: ServiceHarness.orderBody(customer: customer, items: [(sku, 1)]),
                headers: [("Idempotency-Key", String(repeating: "k", count: 255))])
            #expect(placed.status == 202, "\(placed.text)")
            let orderId = try #require(try placed.string("orderId"))
            let order = try await service.request(.GET, "/v1/orders/\(orderId)")
            #expect(try order.string("customerId") == customer)
            #expect(try await service.request(.GET, "/v1/products/\(sku)").status == 200)
        }
    }

    @Test("ten concurrent requests with one Idempotency-Key create one order")
    func concurrentSameKey() async throws {
        try await ServiceHarness.run { service in
            try await service.putProduct("SKU-1", stock: 10)
            let body = ServiceHarness.orderBody()
            let answers = try await withThrowingTaskGroup(of: HTTPAnswer.self) { group in
                for _ in 0..<10 {
                    group.addTask {
                        try await service.request(
                            .POST, "/v1/orders", body: body, headers: [("Idempotency-Key", "same")])
                    }
                }
                return try await group.reduce(into: [HTTPAnswer]()) { $0.append($1) }
            }
            #expect(answers.allSatisfy { $0.status == 202 || $0.status == 409 })
            let ids = Set(try answers.filter { $0.status == 202 }.compactMap { try $0.string("orderId") })
            #expect(ids.count == 1)
            #expect(try await service.count("orders") == 1)
            try await service.waitForTerminal(try #require(ids.first))
            #expect(try await service.stock("SKU-1") == (9, 0))
        }
    }

    @Test("20 concurrent orders of one unit against a stock of 5: exactly 5 complete, stock never negative")
    func limitedStock() async throws {
        try await ServiceHarness.run { service in
            try await service.putProduct("SKU-1", stock: 5)
            let ids = try await withThrowingTaskGroup(of: String.self) { group in
                for index in 0..<20 {
                    group.addTask { try await service.placeOrder(customer: "c-\(index)") }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            var lowest = Int.max
            var statuses: [String] = []
            for orderId in ids {
                let level = try await service.stock("SKU-1")
                lowest = min(lowest, level.stock, level.reserved)
                statuses.append(try await service.waitForTerminal(orderId)["status"] as? String ?? "?")
            }
            #expect(statuses.filter { $0 == "COMPLETED" }.count == 5)
            #expect(statuses.filter { $0 == "COMPENSATED" }.count == 15)
            #expect(lowest >= 0)
            #expect(try await service.stock("SKU-1") == (0, 0))
            var charged = 0
            for orderId in ids { charged += try await service.ledger("charges", orderId: orderId).count }
            #expect(charged == 5, "orders short of stock never reach the gateway")
        }
    }

    @Test("prices come from the catalog; the total is exact")
    func pricing() async throws {
        try await ServiceHarness.run { service in
            try await service.putProduct("A", price: "0.10", stock: 100)
            try await service.putProduct("B", price: "19.99", stock: 100)
            let orderId = try await service.placeOrder(items: [("A", 3), ("B", 3)])
            let order = try await service.request(.GET, "/v1/orders/\(orderId)").json
            let total = order["total"] as? [String: Any]
            #expect(total?["amount"] as? String == "60.27")
            #expect(total?["currency"] as? String == "USD")
            let items = order["items"] as? [[String: Any]] ?? []
            #expect(
                items.compactMap { ($0["unitPrice"] as? [String: Any])?["amount"] as? String } == ["0.10", "19.99"])
            try await service.waitForTerminal(orderId)
            #expect(try await service.ledger("charges", orderId: orderId).first?["amount"] == "60.27")
        }
    }
}

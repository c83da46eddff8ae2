import Foundation
import Mongo
import MongoTesting
import SagaKit
import Testing

@testable import Orders

/// The pass that finds orders whose placement was cut short between storing the order and starting its saga.
@Suite("Interrupted placements against the live server")
struct InterruptedPlacementTests {
    @Test("251 marks, the oldest not an order id, are read a hundred to a reply and all cleared; no saga starts")
    func passReadsMarksInSmallReplies() async throws {
        let client = try TestDeployment.client()
        try await TestDeployment.withDatabase { database in
            let history = InMemoryHistoryStore()
            let orders = try OrderSystem(
                database: database, history: history, providers: ProviderEndpoints(all: "http://127.0.0.1:9"),
                http: .shared)
            try await orders.prepare()
            let placedAt = Date().addingTimeInterval(-60)
            let price = try Money(parsing: "5.00", currency: "USD")
            let address = ShippingAddress(
                name: "Ada", line1: "1 Main St", city: "Springfield", postalCode: "1", country: "US")
            var marked: [Order] = []
            for _ in 0..<250 {
                let id = OrderID.generate()
                marked.append(
                    Order(
                        id: id, customerId: "c-1",
                        items: [OrderLine(sku: "A", name: "A", quantity: 1, unitPrice: price, lineTotal: price)],
                        total: price, paymentToken: "tok_visa", shippingAddress: address, sagaId: id.sagaId,
                        placedAt: placedAt, idempotencyKey: nil, sagaStartPending: true))
                _ = try await history.startSaga(
                    SagaStartRequest(
                        sagaId: id.sagaId, definitionName: "order", definitionVersion: 1, input: .null,
                        events: [
                            HistoryEvent(
                                seq: 1, at: placedAt, kind: .sagaStarted(definition: "order", version: 1, input: .null))
                        ],
                        status: .running, currentStep: nil, owner: nil, leaseUntil: nil, dueAt: nil, startedAt: placedAt
                    ))
            }
            try await database.collection("orders", as: Order.self).insertMany(marked)
            // Not an order id this service issues, so it can have no saga; the oldest, so every first read finds it.
            try await database.collection("orders").insertOne(
                ["_id": "legacy-1", "sagaStartPending": true, "placedAt": .datetime(placedAt.addingTimeInterval(-1))])

            let before = client.commandCounts
            #expect(try await orders.resumeInterruptedPlacements(grace: .seconds(30)) == 0)
            let sent = client.commandCounts.subtracting(before)
            #expect(sent.total(database: database.name, command: "find") == 3, "251 marks, at most 100 to a reply")
            #expect(sent.total(database: database.name, command: "getMore") == 0)
            #expect(try await database.collection("orders").countDocuments(["sagaStartPending": true]) == 0)
        }
    }
}

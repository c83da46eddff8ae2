import HummingbirdTesting
import Testing

@testable import ProviderSandbox

@Suite("Shipments")
struct ShipmentTests {
    @Test("a shipment is created, then cancelled in place")
    func createAndCancel() async throws {
        try await SandboxFixture.withSandbox { client async throws in
            let created = try await client.createShipment(orderId: "o-1", key: "s1")
            #expect(created.status == .created)
            let shipment = try created.decoded(ShipmentEntry.self)
            #expect(shipment.status == .created)
            #expect(shipment.orderId == "o-1")
            #expect(shipment.idempotencyKey == "s1")
            #expect(shipment.id.hasPrefix("sh_"))

            let cancel = try await client.cancelShipment(orderId: "o-1", key: "x1", shipmentKey: "s1")
            #expect(cancel.status == .ok)
            let cancelled = try cancel.decoded(ShipmentEntry.self)
            #expect(cancelled.id == shipment.id)
            #expect(cancelled.status == .cancelled)
            #expect(try await client.shipmentsLedger(orderId: "o-1") == [cancelled])

            let again = try await client.cancelShipment(orderId: "o-1", key: "x2", shipmentKey: "s1")
            #expect(again.status == .ok)
            #expect(try again.decoded(ShipmentEntry.self) == cancelled)
            #expect(try await client.shipmentsLedger(orderId: "o-1") == [cancelled])
        }
    }

    @Test("postal code 00000 is rejected with 422 and nothing is recorded")
    func rejectedAddress() async throws {
        try await SandboxFixture.withSandbox { client async throws in
            let response = try await client.createShipment(orderId: "o-1", key: "s1", postalCode: "00000")
            #expect(response.status == .unprocessableContent)
            #expect(try response.errorCode() == "address_rejected")
            #expect(try await client.shipmentsLedger(orderId: "o-1").isEmpty)

            let replay = try await client.createShipment(orderId: "o-1", key: "s1", postalCode: "00000")
            #expect(replay.status == .unprocessableContent)
            #expect(replay.text == response.text)
        }
    }

    @Test("a cancel with no shipment voids the shipment key")
    func cancelWithoutShipmentVoidsKey() async throws {
        try await SandboxFixture.withSandbox { client async throws in
            let cancel = try await client.cancelShipment(orderId: "o-1", key: "x1", shipmentKey: "s1")
            #expect(cancel.status == .ok)
            #expect(try cancel.statusText() == "nothing_to_cancel")

            let create = try await client.createShipment(orderId: "o-1", key: "s1")
            #expect(create.status == .conflict)
            #expect(try create.errorCode() == "voided")
            #expect(try await client.shipmentsLedger(orderId: "o-1").isEmpty)
        }
    }

    @Test("a shipment body missing a field is a 400 naming it")
    func missingField() async throws {
        try await SandboxFixture.withSandbox { client async throws in
            let body = try JSONBody.make([
                "orderId": "o-1",
                "address": ["name": "Ada", "line1": "1 Main St", "postalCode": "12345", "country": "US"],
                "items": [["sku": "SKU-1", "quantity": 1]],
            ])
            let response = try await client.post("/shipping/shipments", key: "s1", body: body)
            #expect(response.status == .badRequest)
            let error = try response.decoded(ErrorBody.self)
            #expect(error.error == "bad_request")
            #expect(error.message.contains("address.city"))
            #expect(try await client.shipmentsLedger().isEmpty)
        }
    }
}

import HummingbirdTesting
import Testing

@testable import ProviderSandbox

@Suite("Ledgers, health and stats")
struct LedgerTests {
    @Test("ledgers filter by order and otherwise list everything, in recording order")
    func filterAndOrder() async throws {
        try await SandboxFixture.withSandbox { client async throws in
            let first = try await client.charge(orderId: "o-1", key: "a").decoded(ChargeEntry.self)
            let second = try await client.charge(orderId: "o-2", key: "b").decoded(ChargeEntry.self)
            let third = try await client.charge(orderId: "o-1", key: "c").decoded(ChargeEntry.self)
            #expect(try await client.chargesLedger(orderId: "o-1") == [first, third])
            #expect(try await client.chargesLedger(orderId: "o-2") == [second])
            #expect(try await client.chargesLedger(orderId: "o-unknown").isEmpty)
            #expect(try await client.chargesLedger() == [first, second, third])

            let shipment1 = try await client.createShipment(orderId: "o-1", key: "s1").decoded(ShipmentEntry.self)
            let shipment2 = try await client.createShipment(orderId: "o-2", key: "s2").decoded(ShipmentEntry.self)
            #expect(try await client.shipmentsLedger(orderId: "o-2") == [shipment2])
            #expect(try await client.shipmentsLedger() == [shipment1, shipment2])

            let message1 = try await client.sendMessage(orderId: "o-2", key: "m1").decoded(MessageEntry.self)
            let message2 = try await client.sendMessage(orderId: "o-1", key: "m2").decoded(MessageEntry.self)
            #expect(try await client.messagesLedger(orderId: "o-1") == [message2])
            #expect(try await client.messagesLedger() == [message1, message2])
        }
    }

    @Test("order ids with reserved URL characters are matched exactly")
    func encodedOrderId() async throws {
        try await SandboxFixture.withSandbox { client async throws in
            let charge = try await client.charge(orderId: "order 1/2&x=y", key: "a").decoded(ChargeEntry.self)
            #expect(try await client.chargesLedger(orderId: "order 1/2&x=y") == [charge])
        }
    }

    @Test("health answers ok and stats count calls per endpoint")
    func healthAndStats() async throws {
        try await SandboxFixture.withSandbox { client async throws in
            let health = try await client.get("/health")
            #expect(health.status == .ok)
            #expect(try health.statusText() == "ok")

            _ = try await client.charge(orderId: "o-1", key: "a")
            _ = try await client.charge(orderId: "o-1", key: "a")
            _ = try await client.sendMessage(orderId: "o-1", key: "m")
            let stats = try await client.stats()
            #expect(stats.calls[SandboxRoute.charges] == 2)
            #expect(stats.calls[SandboxRoute.messages] == 1)
            #expect(stats.calls[SandboxRoute.health] == 1)
            #expect(stats.idempotentReplays[SandboxRoute.charges] == 1)
            #expect(stats.totalInjectedFailures == 0)
        }
    }
}

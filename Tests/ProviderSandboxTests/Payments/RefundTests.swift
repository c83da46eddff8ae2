import HummingbirdTesting
import Testing

@testable import ProviderSandbox

@Suite("Refunds")
struct RefundTests {
    @Test("a refund gives back the charge in full and names it")
    func refundsCharge() async throws {
        try await SandboxFixture.withSandbox { client async throws in
            let charge = try await client.charge(orderId: "o-1", key: "c1", amount: "99.99", currency: "EUR")
                .decoded(ChargeEntry.self)
            let response = try await client.refund(orderId: "o-1", key: "r1", chargeKey: "c1")
            #expect(response.status == .created)
            let refund = try response.decoded(ChargeEntry.self)
            #expect(refund.kind == .refund)
            #expect(refund.status == .succeeded)
            #expect(refund.amount == "99.99")
            #expect(refund.currency == "EUR")
            #expect(refund.chargeId == charge.id)
            #expect(refund.idempotencyKey == "r1")
            #expect(refund.id.hasPrefix("re_"))
            #expect(try await client.chargesLedger(orderId: "o-1") == [charge, refund])
        }
    }

    @Test("a second refund of one charge, even with another key, records nothing and returns the first refund")
    func secondRefundRecordsNothing() async throws {
        try await SandboxFixture.withSandbox { client async throws in
            _ = try await client.charge(orderId: "o-1", key: "c1")
            let first = try await client.refund(orderId: "o-1", key: "r1", chargeKey: "c1")
            let refund = try first.decoded(ChargeEntry.self)

            let again = try await client.refund(orderId: "o-1", key: "r2", chargeKey: "c1")
            #expect(again.status == .ok)
            #expect(try again.decoded(ChargeEntry.self) == refund)

            let replay = try await client.refund(orderId: "o-1", key: "r1", chargeKey: "c1")
            #expect(replay.status == .created)
            #expect(replay.text == first.text)
            #expect(try await client.chargesLedger(orderId: "o-1").filter { $0.kind == .refund } == [refund])
        }
    }

    @Test("a refund with no charge voids the charge key, so the charge can never land afterwards")
    func refundWithoutChargeVoidsKey() async throws {
        try await SandboxFixture.withSandbox { client async throws in
            let refund = try await client.refund(orderId: "o-1", key: "r1", chargeKey: "c1")
            #expect(refund.status == .ok)
            #expect(try refund.statusText() == "nothing_to_refund")

            for _ in 1...2 {
                let charge = try await client.charge(orderId: "o-1", key: "c1")
                #expect(charge.status == .conflict)
                #expect(try charge.errorCode() == "voided")
            }
            #expect(try await client.chargesLedger(orderId: "o-1").isEmpty)

            let other = try await client.charge(orderId: "o-1", key: "c2")
            #expect(other.status == .created)
        }
    }

    @Test("a tok_flaky charge that never got through is voided by its refund")
    func refundAfterFlakyFailureVoids() async throws {
        try await SandboxFixture.withSandbox { client async throws in
            #expect(
                try await client.charge(orderId: "o-1", key: "c1", token: "tok_flaky").status == .serviceUnavailable)
            let refund = try await client.refund(orderId: "o-1", key: "r1", chargeKey: "c1")
            #expect(try refund.statusText() == "nothing_to_refund")
            for _ in 1...3 {
                #expect(try await client.charge(orderId: "o-1", key: "c1", token: "tok_flaky").status == .conflict)
            }
            #expect(try await client.chargesLedger(orderId: "o-1").isEmpty)
        }
    }

    @Test("refunding a declined charge has nothing to refund and does not void its key")
    func refundOfDeclinedCharge() async throws {
        try await SandboxFixture.withSandbox { client async throws in
            let declined = try await client.charge(orderId: "o-1", key: "c1", token: "tok_chargeDeclined")
            let refund = try await client.refund(orderId: "o-1", key: "r1", chargeKey: "c1")
            #expect(refund.status == .ok)
            #expect(try refund.statusText() == "nothing_to_refund")

            let replay = try await client.charge(orderId: "o-1", key: "c1", token: "tok_chargeDeclined")
            #expect(replay.status.code == 402)
            #expect(replay.text == declined.text)
            #expect(try await client.chargesLedger(orderId: "o-1").map(\.kind) == [.charge])
        }
    }

    @Test("a refund naming another order's charge is refused and records nothing")
    func refundOfAnotherOrdersCharge() async throws {
        try await SandboxFixture.withSandbox { client async throws in
            _ = try await client.charge(orderId: "o-1", key: "c1")
            let refund = try await client.refund(orderId: "o-2", key: "r1", chargeKey: "c1")
            #expect(refund.status == .conflict)
            #expect(try refund.errorCode() == "order_mismatch")
            #expect(try await client.chargesLedger().count == 1)
        }
    }
}

import Foundation
import HummingbirdTesting
import Testing

@testable import ProviderSandbox

@Suite("Charges: each test token's behaviour")
struct ChargeTokenTests {
    @Test("tok_visa charges and records the exact amount")
    func visaSucceeds() async throws {
        try await SandboxFixture.withSandbox { client async throws in
            let response = try await client.charge(orderId: "o-1", key: "charge-o-1", amount: "1234.5678")
            #expect(response.status == .created)
            let charge = try response.decoded(ChargeEntry.self)
            #expect(charge.kind == .charge)
            #expect(charge.status == .succeeded)
            #expect(charge.amount == "1234.5678")
            #expect(charge.currency == "USD")
            #expect(charge.orderId == "o-1")
            #expect(charge.idempotencyKey == "charge-o-1")
            #expect(charge.id.hasPrefix("ch_"))
            #expect(charge.at.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/) != nil)
            #expect(try await client.chargesLedger(orderId: "o-1") == [charge])
        }
    }

    @Test("tok_chargeDeclined answers 402 card_declined and records a failed entry")
    func declined() async throws {
        try await SandboxFixture.withSandbox { client async throws in
            let response = try await client.charge(orderId: "o-1", key: "k", token: "tok_chargeDeclined")
            #expect(response.status.code == 402)
            let error = try response.decoded(ErrorBody.self)
            #expect(error.error == "card_declined")
            #expect(!error.message.isEmpty)
            let ledger = try await client.chargesLedger(orderId: "o-1")
            #expect(ledger.map(\.status) == [.failed])
            #expect(ledger.map(\.kind) == [.charge])
        }
    }

    @Test("an unknown token answers 402 invalid_token and records a failed entry")
    func invalidToken() async throws {
        try await SandboxFixture.withSandbox { client async throws in
            let response = try await client.charge(orderId: "o-1", key: "k", token: "tok_mystery")
            #expect(response.status.code == 402)
            #expect(try response.errorCode() == "invalid_token")
            #expect(try await client.chargesLedger(orderId: "o-1").map(\.status) == [.failed])
        }
    }

    @Test("tok_flaky answers 503 exactly twice per order, records nothing for them, then succeeds")
    func flaky() async throws {
        try await SandboxFixture.withSandbox { client async throws in
            for _ in 1...2 {
                let failure = try await client.charge(orderId: "o-1", key: "k1", token: "tok_flaky")
                #expect(failure.status == .serviceUnavailable)
                #expect(try failure.errorCode() == "unavailable")
                #expect(try await client.chargesLedger(orderId: "o-1").isEmpty)
            }
            let success = try await client.charge(orderId: "o-1", key: "k1", token: "tok_flaky")
            #expect(success.status == .created)
            #expect(try success.decoded(ChargeEntry.self).status == .succeeded)

            let replay = try await client.charge(orderId: "o-1", key: "k1", token: "tok_flaky")
            #expect(replay.status == .created)
            #expect(replay.text == success.text)
            #expect(try await client.chargesLedger(orderId: "o-1").count == 1)

            let otherOrder = try await client.charge(orderId: "o-2", key: "k2", token: "tok_flaky")
            #expect(otherOrder.status == .serviceUnavailable)
            #expect(try await client.stats().simulatedFailures[SandboxRoute.charges] == 3)
        }
    }

    @Test("tok_slow records the charge and answers only after the slow delay")
    func slowAnswersLate() async throws {
        let delay = Duration.milliseconds(300)
        try await SandboxFixture.withSandbox(SandboxFixture.configuration(slowDelay: delay)) { client async throws in
            let started = ContinuousClock.now
            let response = try await client.charge(orderId: "o-1", key: "k1", token: "tok_slow")
            #expect(ContinuousClock.now - started >= delay)
            #expect(response.status == .created)
            let charge = try response.decoded(ChargeEntry.self)
            #expect(charge.status == .succeeded)
            #expect(try await client.chargesLedger(orderId: "o-1") == [charge])
        }
    }

    @Test("tok_slow: while the first answer is held back, the ledger has the charge and a retry gets it at once")
    func slowRetryWhilePending() async throws {
        let configuration = SandboxFixture.configuration(slowDelay: .seconds(30))
        try await SandboxFixture.withSandbox(configuration) { client async throws in
            let firstAnswer = RecordedValue<TestResponse>()
            let first = Task {
                let response = try await client.charge(orderId: "o-1", key: "k1", token: "tok_slow")
                await firstAnswer.set(response)
            }
            try await waitUntil { try await client.chargesLedger(orderId: "o-1").count == 1 }
            let recorded = try #require(try await client.chargesLedger(orderId: "o-1").first)

            let retry = try await client.charge(orderId: "o-1", key: "k1", token: "tok_slow")
            #expect(await firstAnswer.value == nil)
            #expect(retry.status == .created)
            #expect(try retry.decoded(ChargeEntry.self) == recorded)
            #expect(retry.isReplayed)
            #expect(try await client.chargesLedger(orderId: "o-1").count == 1)
            first.cancel()
            _ = await first.result
        }
    }

    @Test("tok_slow holds back only the first attempt of an order")
    func slowOnlyFirstAttempt() async throws {
        let configuration = SandboxFixture.configuration(slowDelay: .seconds(30))
        try await SandboxFixture.withSandbox(configuration) { client async throws in
            let first = Task { try await client.charge(orderId: "o-1", key: "k1", token: "tok_slow") }
            try await waitUntil { try await client.chargesLedger(orderId: "o-1").count == 1 }
            let second = try await client.charge(orderId: "o-1", key: "k2", token: "tok_slow")
            #expect(second.status == .created)
            #expect(!second.isReplayed)
            #expect(try await client.chargesLedger(orderId: "o-1").count == 2)
            first.cancel()
            _ = await first.result
        }
    }
}

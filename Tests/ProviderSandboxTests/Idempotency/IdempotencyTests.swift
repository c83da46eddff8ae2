import HummingbirdTesting
import Testing

@testable import ProviderSandbox

@Suite("Idempotency keys")
struct IdempotencyTests {
    @Test("a repeated key returns the first answer, even for a different body, and records nothing new")
    func repeatedKey() async throws {
        try await SandboxFixture.withSandbox { client async throws in
            let first = try await client.charge(orderId: "o-1", key: "k1", amount: "10.00")
            #expect(!first.isReplayed)
            let ledgerBefore = try await client.chargesLedger()

            let same = try await client.charge(orderId: "o-1", key: "k1", amount: "10.00")
            let different = try await client.charge(
                orderId: "o-1", key: "k1", token: "tok_chargeDeclined", amount: "99.00")
            for replay in [same, different] {
                #expect(replay.status == first.status)
                #expect(replay.text == first.text)
                #expect(replay.isReplayed)
            }
            #expect(try await client.chargesLedger() == ledgerBefore)
            #expect(try await client.stats().idempotentReplays[SandboxRoute.charges] == 2)
        }
    }

    @Test(
        "a missing or malformed Idempotency-Key is a 400 and records nothing",
        arguments: [nil, "", "has space", "ünïcode", String(repeating: "k", count: 256)] as [String?])
    func malformedKey(key: String?) async throws {
        try await SandboxFixture.withSandbox { client async throws in
            let rejected = try await client.post(
                "/payments/charges", key: key,
                body: JSONBody.make(["orderId": "o-2", "amount": "1.00", "currency": "USD", "token": "tok_visa"]))
            #expect(rejected.status == .badRequest)
            #expect(try rejected.errorCode() == "bad_request")
            #expect(try await client.chargesLedger(orderId: "o-2").isEmpty)
        }
    }

    @Test("a key of 255 visible ASCII characters is accepted")
    func longestKey() async throws {
        try await SandboxFixture.withSandbox { client async throws in
            let key = String(repeating: "~", count: 255)
            #expect(try await client.charge(orderId: "o-1", key: key).status == .created)
        }
    }

    @Test("keys are scoped per endpoint family")
    func familyScope() async throws {
        try await SandboxFixture.withSandbox { client async throws in
            #expect(try await client.charge(orderId: "o-1", key: "same").status == .created)
            #expect(try await client.createShipment(orderId: "o-1", key: "same").status == .created)
            #expect(try await client.sendMessage(orderId: "o-1", key: "same").status == .created)
            #expect(try await client.chargesLedger().count == 1)
            #expect(try await client.shipmentsLedger().count == 1)
            #expect(try await client.messagesLedger().count == 1)
        }
    }

    @Test("20 concurrent identical requests record exactly one entry and all get the same answer")
    func concurrentIdenticalRequests() async throws {
        try await SandboxFixture.withSandbox { client async throws in
            let answers = try await withThrowingTaskGroup(of: TestResponse.self) { group in
                for _ in 0..<20 {
                    group.addTask { try await client.charge(orderId: "o-1", key: "same-key") }
                }
                return try await group.reduce(into: [TestResponse]()) { $0.append($1) }
            }
            #expect(answers.count == 20)
            #expect(answers.allSatisfy { $0.status == .created })
            #expect(Set(answers.map(\.text)).count == 1)
            #expect(answers.filter { !$0.isReplayed }.count == 1)
            #expect(try await client.chargesLedger().count == 1)
        }
    }

    @Test("20 concurrent identical shipment and message requests record one entry each")
    func concurrentIdenticalShipmentsAndMessages() async throws {
        try await SandboxFixture.withSandbox { client async throws in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<20 {
                    group.addTask { _ = try await client.createShipment(orderId: "o-1", key: "s") }
                    group.addTask { _ = try await client.sendMessage(orderId: "o-1", key: "m") }
                }
                try await group.waitForAll()
            }
            #expect(try await client.shipmentsLedger().count == 1)
            #expect(try await client.messagesLedger().count == 1)
        }
    }

    @Test("20 concurrent requests with distinct keys record 20 entries")
    func concurrentDistinctRequests() async throws {
        try await SandboxFixture.withSandbox { client async throws in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<20 {
                    group.addTask { _ = try await client.charge(orderId: "o-\(index % 4)", key: "k-\(index)") }
                }
                try await group.waitForAll()
            }
            #expect(try await client.chargesLedger().count == 20)
            #expect(Set(try await client.chargesLedger().map(\.id)).count == 20)
        }
    }
}

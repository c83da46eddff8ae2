import HummingbirdTesting
import Testing

@testable import ProviderSandbox

@Suite("Messages")
struct MessageTests {
    @Test("a message is recorded once per key")
    func sendMessage() async throws {
        try await SandboxFixture.withSandbox { client async throws in
            let response = try await client.sendMessage(orderId: "o-1", key: "m1")
            #expect(response.status == .created)
            let message = try response.decoded(MessageEntry.self)
            #expect(message.orderId == "o-1")
            #expect(message.template == "order-confirmation")
            #expect(message.idempotencyKey == "m1")
            #expect(message.id.hasPrefix("msg_"))

            let replay = try await client.sendMessage(orderId: "o-1", key: "m1")
            #expect(replay.status == .created)
            #expect(replay.text == response.text)
            #expect(try await client.messagesLedger(orderId: "o-1") == [message])
        }
    }

    @Test("a message without a recipient is a 400")
    func missingRecipient() async throws {
        try await SandboxFixture.withSandbox { client async throws in
            let body = try JSONBody.make(["orderId": "o-1", "template": "order-confirmation"])
            let response = try await client.post("/notify/messages", key: "m1", body: body)
            #expect(response.status == .badRequest)
            #expect(try response.decoded(ErrorBody.self).message.contains("'to'"))
            #expect(try await client.messagesLedger().isEmpty)
        }
    }
}

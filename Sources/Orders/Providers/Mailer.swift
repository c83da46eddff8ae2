import Foundation
import SagaKit

/// The mailer: customer messages, keyed so each is sent once.
struct Mailer: Sendable {
    let client: ProviderClient
    let baseURL: String

    /// Sends `template` about the order to `recipient`; returns the mailer's message id.
    func send(orderId: String, template: String, recipient: String, idempotencyKey: String) async throws -> String {
        struct Body: Encodable { let orderId, template, to: String }
        struct Answer: Decodable { let id: String }
        let response = try await client.post(
            baseURL + "/notify/messages", body: Body(orderId: orderId, template: template, to: recipient),
            idempotencyKey: idempotencyKey, provider: "notify")
        guard response.status == 200 || response.status == 201 else {
            throw ProviderClient.unexpected(response, provider: "notify")
        }
        return try response.decode(Answer.self, provider: "notify").id
    }
}

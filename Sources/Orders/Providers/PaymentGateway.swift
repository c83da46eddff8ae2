import Foundation
import SagaKit

/// The card gateway: charges and refunds, keyed for exactly-once effects.
struct PaymentGateway: Sendable {
    let client: ProviderClient
    let baseURL: String

    /// A charge as the gateway recorded it.
    struct Charge: Codable, Sendable, Hashable {
        /// The gateway's id.
        let id: String
        /// `succeeded` or `failed`.
        let status: String
    }

    /// What a refund did.
    enum RefundOutcome: Sendable, Hashable {
        /// The charge was refunded (now or before).
        case refunded(id: String)
        /// There was no successful charge under the key; the key is now void.
        case nothingToRefund
    }

    /// Charges `amount` to `token`. Declines and voided keys are final; outages retry.
    func charge(orderId: String, amount: Money, token: String, idempotencyKey: String) async throws -> Charge {
        struct Body: Encodable { let orderId, amount, currency, token: String }
        let response = try await client.post(
            baseURL + "/payments/charges",
            body: Body(orderId: orderId, amount: amount.amountText, currency: amount.currency, token: token),
            idempotencyKey: idempotencyKey, provider: "payments")
        switch response.status {
        case 200, 201:
            let charge = try response.decode(Charge.self, provider: "payments")
            guard charge.status == "succeeded" else {
                throw StepError.nonRetryable(kind: "PaymentDeclined", message: "charge \(charge.id) \(charge.status)")
            }
            return charge
        case 402:
            throw StepError.nonRetryable(
                kind: "PaymentDeclined", message: "the card was declined (\(response.errorCode ?? "declined"))")
        case 409:
            throw StepError.nonRetryable(
                kind: "ChargeVoided", message: "the charge key was voided by an earlier refund")
        default:
            throw ProviderClient.unexpected(response, provider: "payments")
        }
    }

    /// Refunds the charge made with `chargeIdempotencyKey`, voiding the key when there is none.
    func refund(orderId: String, chargeIdempotencyKey: String, idempotencyKey: String) async throws -> RefundOutcome {
        struct Body: Encodable { let orderId, chargeIdempotencyKey: String }
        struct Answer: Decodable { let id: String?; let status: String? }
        let response = try await client.post(
            baseURL + "/payments/refunds", body: Body(orderId: orderId, chargeIdempotencyKey: chargeIdempotencyKey),
            idempotencyKey: idempotencyKey, provider: "payments")
        guard response.status == 200 || response.status == 201 else {
            throw ProviderClient.unexpected(response, provider: "payments")
        }
        let answer = try response.decode(Answer.self, provider: "payments")
        if answer.status == "nothing_to_refund" { return .nothingToRefund }
        guard let id = answer.id else {
            throw StepError.retryable(kind: "ProviderProtocolError", message: "payments refund answer without an id")
        }
        return .refunded(id: id)
    }
}

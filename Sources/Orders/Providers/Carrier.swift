import Foundation
import SagaKit

/// The carrier: shipments and their cancellation, keyed for exactly-once effects.
struct Carrier: Sendable {
    let client: ProviderClient
    let baseURL: String

    /// What a cancellation did.
    enum CancelOutcome: Sendable, Hashable {
        /// The shipment was cancelled (now or before).
        case cancelled
        /// There was no shipment under the key; the key is now void.
        case nothingToCancel
    }

    /// Books a shipment of `items` to `address`; returns the carrier's shipment id. A rejected address is final.
    func createShipment(
        orderId: String, address: ShippingAddress, items: [OrderLine], idempotencyKey: String
    ) async throws -> String {
        struct Address: Encodable { let name, line1, city, postalCode, country: String }
        struct Item: Encodable { let sku: String; let quantity: Int }
        struct Body: Encodable { let orderId: String; let address: Address; let items: [Item] }
        struct Answer: Decodable { let id: String }
        let body = Body(
            orderId: orderId,
            address: Address(
                name: address.name, line1: address.line1, city: address.city, postalCode: address.postalCode,
                country: address.country),
            items: items.map { Item(sku: $0.sku, quantity: $0.quantity) })
        let response = try await client.post(
            baseURL + "/shipping/shipments", body: body, idempotencyKey: idempotencyKey, provider: "shipping")
        switch response.status {
        case 200, 201:
            return try response.decode(Answer.self, provider: "shipping").id
        case 422:
            throw StepError.nonRetryable(kind: "AddressRejected", message: "the carrier cannot deliver to this address")
        case 409:
            throw StepError.nonRetryable(
                kind: "ShipmentVoided", message: "the shipment key was voided by an earlier cancellation")
        default:
            throw ProviderClient.unexpected(response, provider: "shipping")
        }
    }

    /// Cancels the shipment booked with `shipmentIdempotencyKey`, voiding the key when there is none.
    func cancelShipment(orderId: String, shipmentIdempotencyKey: String, idempotencyKey: String) async throws
        -> CancelOutcome
    {
        struct Body: Encodable { let orderId, shipmentIdempotencyKey: String }
        struct Answer: Decodable { let status: String? }
        let response = try await client.post(
            baseURL + "/shipping/shipments/cancel",
            body: Body(orderId: orderId, shipmentIdempotencyKey: shipmentIdempotencyKey),
            idempotencyKey: idempotencyKey, provider: "shipping")
        guard response.status == 200 || response.status == 201 else {
            throw ProviderClient.unexpected(response, provider: "shipping")
        }
        let answer = try response.decode(Answer.self, provider: "shipping")
        return answer.status == "nothing_to_cancel" ? .nothingToCancel : .cancelled
    }
}

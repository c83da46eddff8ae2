import Foundation
import Hummingbird
import HummingbirdTesting

@testable import ProviderSandbox

/// Request helpers for talking to a sandbox under test.
extension TestClientProtocol {
    /// POSTs `body` (JSON text) to `path`, with `Idempotency-Key: key` when `key` is given.
    func post(_ path: String, key: String?, body: String) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let key {
            headers[HTTPFields.Element.Name("Idempotency-Key")!] = key
        }
        return try await execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    /// GETs `path`.
    func get(_ path: String) async throws -> TestResponse {
        try await execute(uri: path, method: .get)
    }

    /// POSTs a charge.
    func charge(
        orderId: String, key: String, token: String = "tok_visa", amount: String = "12.50", currency: String = "USD"
    ) async throws -> TestResponse {
        try await post(
            "/payments/charges", key: key,
            body: JSONBody.make(["orderId": orderId, "amount": amount, "currency": currency, "token": token]))
    }

    /// POSTs a refund of the charge made under `chargeKey`.
    func refund(orderId: String, key: String, chargeKey: String) async throws -> TestResponse {
        try await post(
            "/payments/refunds", key: key,
            body: JSONBody.make(["orderId": orderId, "chargeIdempotencyKey": chargeKey]))
    }

    /// POSTs a shipment to `postalCode`.
    func createShipment(orderId: String, key: String, postalCode: String = "12345") async throws -> TestResponse {
        try await post(
            "/shipping/shipments", key: key, body: JSONBody.shipment(orderId: orderId, postalCode: postalCode))
    }

    /// POSTs the cancel of the shipment created under `shipmentKey`.
    func cancelShipment(orderId: String, key: String, shipmentKey: String) async throws -> TestResponse {
        try await post(
            "/shipping/shipments/cancel", key: key,
            body: JSONBody.make(["orderId": orderId, "shipmentIdempotencyKey": shipmentKey]))
    }

    /// POSTs an order confirmation message.
    func sendMessage(orderId: String, key: String, template: String = "order-confirmation") async throws -> TestResponse
    {
        try await post(
            "/notify/messages", key: key,
            body: JSONBody.make(["orderId": orderId, "template": template, "to": "ada@example.com"]))
    }

    /// The payments ledger, of `orderId` or of all orders.
    func chargesLedger(orderId: String? = nil) async throws -> [ChargeEntry] {
        try await get(LedgerPath.make("/ledger/charges", orderId: orderId)).decoded(LedgerItems<ChargeEntry>.self).items
    }

    /// The shipping ledger, of `orderId` or of all orders.
    func shipmentsLedger(orderId: String? = nil) async throws -> [ShipmentEntry] {
        try await get(LedgerPath.make("/ledger/shipments", orderId: orderId)).decoded(LedgerItems<ShipmentEntry>.self)
            .items
    }

    /// The mailer's ledger, of `orderId` or of all orders.
    func messagesLedger(orderId: String? = nil) async throws -> [MessageEntry] {
        try await get(LedgerPath.make("/ledger/messages", orderId: orderId)).decoded(LedgerItems<MessageEntry>.self)
            .items
    }

    /// The `GET /stats` body.
    func stats() async throws -> StatisticsSnapshot {
        try await get("/stats").decoded(StatisticsSnapshot.self)
    }
}

/// Building ledger query paths.
enum LedgerPath {
    /// `path` with `?orderId=` when an order is given.
    static func make(_ path: String, orderId: String?) -> String {
        guard let orderId else { return path }
        return path + "?orderId=" + (orderId.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? orderId)
    }
}

/// The `{items: [...]}` body of the ledger endpoints.
struct LedgerItems<Entry: Decodable>: Decodable {
    let items: [Entry]
}

/// Building JSON request bodies.
enum JSONBody {
    /// `object` as JSON text.
    static func make(_ object: [String: Any]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    /// A valid shipment body to `postalCode`.
    static func shipment(orderId: String, postalCode: String) throws -> String {
        try make([
            "orderId": orderId,
            "address": [
                "name": "Ada", "line1": "1 Main St", "city": "Springfield", "postalCode": postalCode, "country": "US",
            ],
            "items": [["sku": "SKU-1", "quantity": 2]],
        ])
    }
}

/// Reading answers.
extension TestResponse {
    /// The body as text.
    var text: String { String(buffer: body) }

    /// The body decoded as `type`.
    func decoded<Value: Decodable>(_ type: Value.Type) throws -> Value {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }

    /// The `error` code of an error answer.
    func errorCode() throws -> String {
        try decoded(ErrorBody.self).error
    }

    /// The `status` of a `{status}` answer such as `nothing_to_refund`.
    func statusText() throws -> String {
        try decoded(StatusBody.self).status
    }

    /// Whether the answer carries `Idempotent-Replayed: true`.
    var isReplayed: Bool {
        headers[HTTPFields.Element.Name("Idempotent-Replayed")!] == "true"
    }
}

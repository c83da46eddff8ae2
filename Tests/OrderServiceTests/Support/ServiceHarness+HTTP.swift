import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// An HTTP answer: status, headers and the body as text and JSON.
struct HTTPAnswer: Sendable {
    let status: Int
    let headers: HTTPHeaders
    let body: Data

    var text: String { String(decoding: body, as: UTF8.self) }

    /// The body as a JSON object.
    var json: [String: Any] {
        get throws {
            guard let object = try JSONSerialization.jsonObject(with: body) as? [String: Any] else {
                throw HarnessError("not a JSON object: \(text)")
            }
            return object
        }
    }

    /// The string member `key` of the body.
    func string(_ key: String) throws -> String? { try json[key] as? String }

    /// The `field` names of a problem's `errors`.
    var problemFields: [String] {
        get throws { (try json["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String } }
    }

    var contentType: String? { headers.first(name: "content-type") }
}

extension ServiceHarness {
    /// Sends a request to the service (or, with `base`, elsewhere) and reads the whole answer.
    func request(
        _ method: HTTPMethod, _ path: String, key: String? = ServiceHarness.operatorKey, body: String? = nil,
        bodyBytes: [UInt8]? = nil, headers extra: [(String, String)] = [], contentType: String? = "application/json",
        base: String? = nil
    ) async throws -> HTTPAnswer {
        var request = HTTPClientRequest(url: (base ?? baseURL) + path)
        request.method = method
        if let key { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
        if let bytes = bodyBytes ?? body.map({ Array($0.utf8) }) {
            if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
            request.body = .bytes(ByteBuffer(bytes: bytes))
        }
        for (name, value) in extra { request.headers.add(name: name, value: value) }
        let response = try await http.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 16 << 20)
        return HTTPAnswer(
            status: Int(response.status.code), headers: response.headers, body: Data(bytes.readableBytesView))
    }

    /// `POST /v1/products`, expecting 200.
    @discardableResult
    func putProduct(_ sku: String, price: String = "12.50", stock: Int = 100, name: String = "Widget") async throws
        -> HTTPAnswer
    {
        let answer = try await request(
            .POST, "/v1/products",
            body:
                #"{"sku":"\#(sku)","name":"\#(name)","price":{"amount":"\#(price)","currency":"USD"},"stock":\#(stock)}"#
        )
        guard answer.status == 200 else {
            throw HarnessError("putProduct \(sku) answered \(answer.status): \(answer.text)")
        }
        return answer
    }

    /// A place-order body.
    static func orderBody(
        customer: String = "c-42", items: [(String, Int)] = [("SKU-1", 1)], token: String = "tok_visa",
        postalCode: String = "12345"
    ) -> String {
        let lines = items.map { #"{"sku":"\#($0.0)","quantity":\#($0.1)}"# }.joined(separator: ",")
        return
            #"{"customerId":"\#(customer)","items":[\#(lines)],"paymentToken":"\#(token)","shippingAddress":{"name":"Ada","line1":"1 Main St","city":"Springfield","postalCode":"\#(postalCode)","country":"US"}}"#
    }

    /// `POST /v1/orders`, expecting 202; returns the order id.
    func placeOrder(
        items: [(String, Int)] = [("SKU-1", 1)], token: String = "tok_visa", postalCode: String = "12345",
        idempotencyKey: String? = nil, key: String = ServiceHarness.operatorKey, customer: String = "c-42"
    ) async throws -> String {
        let answer = try await request(
            .POST, "/v1/orders", key: key,
            body: Self.orderBody(customer: customer, items: items, token: token, postalCode: postalCode),
            headers: idempotencyKey.map { [("Idempotency-Key", $0)] } ?? [])
        guard answer.status == 202, let orderId = try answer.string("orderId") else {
            throw HarnessError("placeOrder answered \(answer.status): \(answer.text)")
        }
        return orderId
    }

    /// `GET /v1/orders/{id}/saga` as JSON.
    func saga(_ orderId: String) async throws -> [String: Any] {
        let answer = try await request(.GET, "/v1/orders/\(orderId)/saga")
        guard answer.status == 200 else {
            throw HarnessError("saga \(orderId) answered \(answer.status): \(answer.text)")
        }
        return try answer.json
    }

    /// Polls the saga until its status is one of `statuses` (bounded: fails after `timeout`).
    @discardableResult
    func waitForStatus(
        _ orderId: String, in statuses: Set<String>, timeout: Duration = .seconds(30)
    ) async throws -> [String: Any] {
        try await waitForSaga(orderId, timeout: timeout, wanted: "a status in \(statuses)") {
            ($0["status"] as? String).map(statuses.contains) ?? false
        }
    }

    /// Polls the saga until `condition` holds for it (bounded: fails after `timeout`, naming what was `wanted`).
    @discardableResult
    func waitForSaga(
        _ orderId: String, timeout: Duration = .seconds(30), wanted: String,
        _ condition: ([String: Any]) -> Bool
    ) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let answer = try await request(.GET, "/v1/orders/\(orderId)/saga")
            guard answer.status == 200 || answer.status == 404 else {
                throw HarnessError("saga \(orderId) answered \(answer.status): \(answer.text)")
            }
            let saga = answer.status == 200 ? try answer.json : [:]
            if condition(saga) { return saga }
            guard ContinuousClock.now < deadline else {
                let standing = "\(saga["status"] ?? "?") at \(saga["step"] ?? "?")"
                throw HarnessError("order \(orderId) is \(standing) after \(timeout), wanted \(wanted)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Waits for a terminal status (COMPLETED, COMPENSATED, CANCELLED, REFUNDED).
    @discardableResult
    func waitForTerminal(_ orderId: String, timeout: Duration = .seconds(30)) async throws -> [String: Any] {
        try await waitForStatus(orderId, in: ["COMPLETED", "COMPENSATED", "CANCELLED", "REFUNDED"], timeout: timeout)
    }

    /// The event types of a saga's history, in order.
    func eventTypes(_ orderId: String) async throws -> [String] {
        let history = try await saga(orderId)["history"] as? [[String: Any]] ?? []
        return history.compactMap { $0["type"] as? String }
    }

    /// A sandbox ledger's entries for an order.
    func ledger(_ name: String, orderId: String) async throws -> [[String: String]] {
        let answer = try await request(.GET, "/ledger/\(name)?orderId=\(orderId)", key: nil, base: sandboxURL)
        let items = try answer.json["items"] as? [[String: Any]] ?? []
        return items.map { $0.compactMapValues { $0 as? String } }
    }

    /// `stock` and `reserved` of a product.
    func stock(_ sku: String) async throws -> (stock: Int, reserved: Int) {
        let json = try await request(.GET, "/v1/products/\(sku)").json
        return (json["stock"] as? Int ?? -1, json["reserved"] as? Int ?? -1)
    }

    /// How many documents a business collection holds.
    func count(_ collection: String) async throws -> Int {
        try await database.collection(collection).countDocuments()
    }

    /// How many sagas the history store holds.
    func sagaCount() async throws -> Int {
        try await historyDatabase.collection("sagas").countDocuments()
    }
}

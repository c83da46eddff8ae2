import Foundation
import Testing

/// Bad input gets a clear problem+json answer naming the field, and stores nothing.
@Suite("Input hardening over HTTP")
struct InputHardeningTests {
    /// One bad place-order body and the fields the answer must name.
    struct BadOrder: Sendable, CustomTestStringConvertible {
        let name: String
        let body: String
        let fields: [String]
        var testDescription: String { name }
    }

    static let address =
        #""shippingAddress":{"name":"Ada","line1":"1 Main St","city":"Springfield","postalCode":"12345","country":"US"}"#

    static func order(
        customer: String = #""c-42""#, items: String = #"[{"sku":"SKU-1","quantity":1}]"#,
        token: String = #""tok_visa""#, address: String = Self.address, extra: String = ""
    ) -> String {
        #"{"customerId":\#(customer),"items":\#(items),"paymentToken":\#(token),\#(address)\#(extra)}"#
    }

    static let badOrders: [BadOrder] = [
        BadOrder(
            name: "missing fields", body: "{}", fields: ["customerId", "paymentToken", "items", "shippingAddress"]),
        BadOrder(name: "customerId of another type", body: order(customer: "42"), fields: ["customerId"]),
        BadOrder(name: "operator-shaped value", body: order(customer: #"{"$gt":""}"#), fields: ["customerId"]),
        BadOrder(
            name: "operator-shaped sku", body: order(items: #"[{"sku":{"$ne":null},"quantity":1}]"#),
            fields: ["items[0].sku"]),
        BadOrder(name: "empty items", body: order(items: "[]"), fields: ["items"]),
        BadOrder(
            name: "101 items",
            body: order(
                items: "[" + Array(repeating: #"{"sku":"SKU-1","quantity":1}"#, count: 101).joined(separator: ",") + "]"
            ),
            fields: ["items"]),
        BadOrder(
            name: "quantity zero", body: order(items: #"[{"sku":"SKU-1","quantity":0}]"#), fields: ["items[0].quantity"]
        ),
        BadOrder(
            name: "quantity above 10,000", body: order(items: #"[{"sku":"SKU-1","quantity":10001}]"#),
            fields: ["items[0].quantity"]),
        BadOrder(
            name: "fractional quantity", body: order(items: #"[{"sku":"SKU-1","quantity":2.5}]"#),
            fields: ["items[0].quantity"]),
        BadOrder(
            name: "quantity as a string", body: order(items: #"[{"sku":"SKU-1","quantity":"2"}]"#),
            fields: ["items[0].quantity"]),
        BadOrder(
            name: "quantity 1e309", body: order(items: #"[{"sku":"SKU-1","quantity":1e309}]"#),
            fields: ["items[0].quantity"]),
        BadOrder(
            name: "quantity -0", body: order(items: #"[{"sku":"SKU-1","quantity":-0}]"#), fields: ["items[0].quantity"]),
        BadOrder(name: "unknown sku", body: order(items: #"[{"sku":"NOPE","quantity":1}]"#), fields: ["items[0].sku"]),
        BadOrder(name: "control character", body: order(customer: #""c-\u0000""#), fields: ["customerId"]),
        BadOrder(
            name: "control character in free text",
            body: order(
                address:
                    #""shippingAddress":{"name":"A\u0007da","line1":"1 Main St","city":"Springfield","postalCode":"12345","country":"US"}"#
            ),
            fields: ["shippingAddress.name"]),
        BadOrder(
            name: "over-long string",
            body: order(
                address:
                    #""shippingAddress":{"name":"\#(String(repeating: "x", count: 257))","line1":"1 Main St","city":"Springfield","postalCode":"12345","country":"US"}"#
            ),
            fields: ["shippingAddress.name"]),
        BadOrder(
            name: "identifier over 256 characters", body: order(customer: "\"c\(String(repeating: "x", count: 256))\""),
            fields: ["customerId"]),
        BadOrder(name: "unknown field", body: order(extra: #","discount":"100%""#), fields: ["discount"]),
        BadOrder(
            name: "address missing",
            body: #"{"customerId":"c-42","items":[{"sku":"SKU-1","quantity":1}],"paymentToken":"tok_visa"}"#,
            fields: ["shippingAddress"]),
        BadOrder(
            name: "bad country and postal code",
            body: order(
                address:
                    #""shippingAddress":{"name":"Ada","line1":"1 Main St","city":"Springfield","postalCode":"../../x","country":"usa"}"#
            ),
            fields: ["shippingAddress.postalCode", "shippingAddress.country"]),
        BadOrder(name: "a JSON array instead of an object", body: "[1,2]", fields: ["/"]),
    ]

    @Test("each invalid body is 422 naming its fields, and nothing is stored", arguments: badOrders)
    func invalidBodies(_ bad: BadOrder) async throws {
        try await ServiceHarness.run { service in
            try await service.putProduct("SKU-1")
            let answer = try await service.request(.POST, "/v1/orders", body: bad.body)
            #expect(answer.status == 422, "\(answer.text)")
            #expect(answer.contentType == "application/problem+json")
            #expect(try Set(answer.problemFields) == Set(bad.fields))
            let problem = try answer.json
            #expect(problem["status"] as? Int == 422)
            #expect(problem["type"] as? String != nil)
            #expect(problem["title"] as? String != nil)
            #expect(problem["detail"] as? String != nil)
            #expect(try await service.count("orders") == 0)
            #expect(try await service.sagaCount() == 0)
        }
    }

    @Test("malformed bodies are 400, the wrong content type is 415, a body over 64 KiB is 413; nothing is stored")
    func framing() async throws {
        try await ServiceHarness.run { service in
            try await service.putProduct("SKU-1")
            let cases: [(String, HTTPAnswer, Int)] = [
                ("malformed JSON", try await service.request(.POST, "/v1/orders", body: #"{"customerId": "#), 400),
                ("trailing comma", try await service.request(.POST, "/v1/orders", body: #"{"customerId":"c",}"#), 400),
                ("duplicate member", try await service.request(.POST, "/v1/orders", body: #"{"a":1,"a":2}"#), 400),
                ("empty body", try await service.request(.POST, "/v1/orders", body: ""), 400),
                (
                    "invalid UTF-8",
                    try await service.request(.POST, "/v1/orders", bodyBytes: [0x7B, 0x22, 0xC3, 0x28, 0x22, 0x7D]), 400
                ),
                (
                    "deep nesting",
                    try await service.request(
                        .POST, "/v1/orders",
                        body: String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)), 400
                ),
                (
                    "text/plain",
                    try await service.request(
                        .POST, "/v1/orders", body: ServiceHarness.orderBody(), contentType: "text/plain"), 415
                ),
                (
                    "no content type",
                    try await service.request(.POST, "/v1/orders", body: ServiceHarness.orderBody(), contentType: nil),
                    415
                ),
                (
                    "latin-1 charset",
                    try await service.request(
                        .POST, "/v1/orders", body: ServiceHarness.orderBody(),
                        contentType: "application/json; charset=iso-8859-1"), 415
                ),
                (
                    "gzip content encoding",
                    try await service.request(
                        .POST, "/v1/orders", body: ServiceHarness.orderBody(),
                        headers: [("Content-Encoding", "gzip")]), 415
                ),
                (
                    "too large",
                    try await service.request(
                        .POST, "/v1/orders", body: #"{"pad":""# + String(repeating: "x", count: 70_000) + #""}"#), 413
                ),
            ]
            for (name, answer, status) in cases {
                #expect(answer.status == status, "\(name): \(answer.status) \(answer.text)")
                #expect(answer.contentType == "application/problem+json", "\(name)")
            }
            #expect(try await service.count("orders") == 0)
        }
    }

    @Test("bad Idempotency-Keys, path ids and product bodies are 422 naming the field")
    func badParameters() async throws {
        try await ServiceHarness.run { service in
            try await service.putProduct("SKU-1")
            let longKey = try await service.request(
                .POST, "/v1/orders", body: ServiceHarness.orderBody(),
                headers: [("Idempotency-Key", String(repeating: "k", count: 256))])
            #expect(longKey.status == 422)
            #expect(try longKey.problemFields == ["Idempotency-Key"])
            let spaceKey = try await service.request(
                .POST, "/v1/orders", body: ServiceHarness.orderBody(), headers: [("Idempotency-Key", "has space")])
            #expect(spaceKey.status == 422)
            for path in [
                "/v1/orders/..%2F..%2Fx", "/v1/orders/ord_short", "/v1/orders/%24gt/saga",
                "/v1/orders/ORD_01JD3K2X4Q8M9V7T6R5P4N3B2A/events",
            ] {
                let answer = try await service.request(.GET, path)
                #expect(answer.status == 422, "\(path): \(answer.text)")
                #expect(try answer.problemFields == ["orderId"], "\(path)")
            }
            let missing = try await service.request(.GET, "/v1/orders/ord_01jd3k2x4q8m9v7t6r5p4n3b2a")
            #expect(missing.status == 404)
            #expect(try await service.request(.GET, "/v1/products/NOPE").status == 404)
            #expect(try await service.request(.GET, "/v1/products/$where").status == 422)

            let product = try await service.request(
                .POST, "/v1/products",
                body: #"{"sku":"X","name":"X","price":{"amount":12.5,"currency":"USD"},"stock":1.5}"#)
            #expect(product.status == 422)
            #expect(try Set(product.problemFields) == ["price.amount", "stock"])
            let cheap = try await service.request(
                .POST, "/v1/products",
                body: #"{"sku":"X","name":"X","price":{"amount":"1.005","currency":"USD"},"stock":1}"#)
            #expect(try cheap.problemFields == ["price.amount"])
            let dear = try await service.request(
                .POST, "/v1/products",
                body: #"{"sku":"X","name":"X","price":{"amount":"9999999999999.99","currency":"USD"},"stock":1}"#)
            #expect(try dear.problemFields == ["price.amount"])
            #expect(dear.text.contains("must be at most 999999999999.99"), "says the amount is too large: \(dear.text)")
            let repeated = try await service.request(.GET, "/v1/sagas?limit=1&limit=2&status=RUNNING&status=COMPLETED")
            #expect(repeated.status == 422)
            #expect(try Set(repeated.problemFields) == ["limit", "status"])
            #expect(try await service.count("products") == 1)
            #expect(try await service.count("orders") == 0)
        }
    }

    @Test("the framework's 404 and 405 are problem+json too")
    func frameworkErrors() async throws {
        try await ServiceHarness.run { service in
            let notFound = try await service.request(.GET, "/v1/nothing-here")
            #expect(notFound.status == 404)
            #expect(notFound.contentType == "application/problem+json")
            let wrongMethod = try await service.request(.DELETE, "/v1/orders")
            #expect(wrongMethod.status == 405)
            #expect(wrongMethod.headers.first(name: "allow") == "POST")
            #expect(wrongMethod.contentType == "application/problem+json")
            for method in ["TRACE", "QUERY", "PROPFIND"] {
                let unusual = try await service.request(
                    .RAW(value: method), "/v1/orders/ord_01jd3k2x4q8m9v7t6r5p4n3b2a")
                #expect(unusual.status == 405, "\(method)")
                #expect(unusual.headers.first(name: "allow") == "GET, HEAD")
            }
            #expect(try await service.request(.HEAD, "/health/live", key: nil).status == 200)
        }
    }
}

/// Small things a person at a terminal notices.
@Suite("Answers read well")
struct AnswerShapeTests {
    @Test("405 and 415 carry a problem type like every other problem; every answer ends with a newline")
    func typedProblemsAndNewlines() async throws {
        try await ServiceHarness.run { service in
            let methodNotAllowed = try await service.request(.PATCH, "/v1/orders")
            #expect(methodNotAllowed.status == 405)
            #expect(
                try methodNotAllowed.json["type"] as? String == "https://order-saga.dev/problems/method-not-allowed")
            let unsupported = try await service.request(.POST, "/v1/orders", body: "x", contentType: "text/plain")
            #expect(unsupported.status == 415)
            #expect(try unsupported.json["type"] as? String == "https://order-saga.dev/problems/unsupported-media-type")
            try await service.putProduct("SKU-1")
            let product = try await service.request(.GET, "/v1/products/SKU-1")
            for answer in [methodNotAllowed, unsupported, product] {
                #expect(answer.text.hasSuffix("}\n"), "\(answer.status) ends with a newline")
            }
        }
    }

    @Test("a refund's answer says what was accepted and where to follow it")
    func commandAnswer() async throws {
        try await ServiceHarness.run { service in
            try await service.putProduct("SKU-1")
            let orderId = try await service.placeOrder()
            _ = try await service.waitForTerminal(orderId)
            let refund = try await service.request(.POST, "/v1/orders/\(orderId)/refund")
            #expect(refund.status == 202)
            let body = try refund.json
            #expect(body["action"] as? String == "refund")
            #expect((body["detail"] as? String)?.hasPrefix("refund accepted") == true)
            #expect(body["events"] as? String == "/v1/orders/\(orderId)/events")
            #expect(body["saga"] as? String == "/v1/orders/\(orderId)/saga")
        }
    }
}

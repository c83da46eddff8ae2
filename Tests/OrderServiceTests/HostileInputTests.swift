import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

/// Inputs a fuzzer rarely finds, sent over real sockets: the service answers each with its documented status
/// (problem+json where it parses the request), stores nothing, and keeps serving others.
@Suite("Hostile input over HTTP")
struct HostileInputTests {
    static let address =
        #""shippingAddress":{"name":"Ada","line1":"1 Main St","line2":"Apt 1","city":"Springfield","region":"IL","postalCode":"12345","country":"US"}"#

    /// Every string field of every body, with the body that has an operator document in that field.
    static let injections: [(field: String, path: String, body: String)] = {
        let injected = #"{"$gt":""}"#
        let order = { (customer: String, sku: String, token: String, address: String) in
            #"{"customerId":\#(customer),"items":[{"sku":\#(sku),"quantity":1}],"paymentToken":\#(token),\#(address)}"#
        }
        var cases: [(String, String, String)] = [
            ("customerId", "/v1/orders", order(injected, #""SKU-1""#, #""tok_visa""#, address)),
            ("items[0].sku", "/v1/orders", order(#""c""#, injected, #""tok_visa""#, address)),
            ("paymentToken", "/v1/orders", order(#""c""#, #""SKU-1""#, injected, address)),
        ]
        for field in ["name", "line1", "line2", "city", "region", "postalCode", "country"] {
            cases.append(
                (
                    "shippingAddress.\(field)", "/v1/orders",
                    order(#""c""#, #""SKU-1""#, #""tok_visa""#, Self.addressWith(field, injected))
                ))
        }
        let product = { (sku: String, name: String, amount: String, currency: String) in
            #"{"sku":\#(sku),"name":\#(name),"price":{"amount":\#(amount),"currency":\#(currency)},"stock":1}"#
        }
        cases += [
            ("sku", "/v1/products", product(injected, #""N""#, #""1.00""#, #""USD""#)),
            ("name", "/v1/products", product(#""S""#, injected, #""1.00""#, #""USD""#)),
            ("price.amount", "/v1/products", product(#""S""#, #""N""#, injected, #""USD""#)),
            ("price.currency", "/v1/products", product(#""S""#, #""N""#, #""1.00""#, injected)),
        ]
        return cases
    }()

    /// The shipping address with `value` (raw JSON) in `field`.
    static func addressWith(_ field: String, _ value: String) -> String {
        let fields = [
            "name": #""Ada""#, "line1": #""1 Main St""#, "line2": #""Apt 1""#, "city": #""Springfield""#,
            "region": #""IL""#, "postalCode": #""12345""#, "country": #""US""#,
        ]
        let members = ["name", "line1", "line2", "city", "region", "postalCode", "country"].map {
            #""\#($0)":\#($0 == field ? value : fields[$0]!)"#
        }
        return #""shippingAddress":{\#(members.joined(separator: ","))}"#
    }

    @Test("an operator document in any string field is 422 naming that field, and nothing is stored")
    func operatorInjection() async throws {
        try await ServiceHarness.run { service in
            try await service.putProduct("SKU-1")
            for injection in Self.injections {
                let answer = try await service.request(.POST, injection.path, body: injection.body)
                #expect(answer.status == 422, "\(injection.field): \(answer.text)")
                #expect(try answer.problemFields == [injection.field], "\(injection.field)")
            }
            let cancel = try await service.request(
                .POST, "/v1/orders/ord_01jd3k2x4q8m9v7t6r5p4n3b2a/cancel", body: #"{"reason":{"$ne":null}}"#)
            #expect(cancel.status == 422)
            #expect(try cancel.problemFields == ["reason"])
            #expect(try await service.count("orders") == 0)
            #expect(try await service.count("products") == 1)
        }
    }

    @Test("numbers like 1e309, -0, 1.0 and 9223372036854775808 are not integers; amounts as numbers are refused")
    func numbers() async throws {
        try await ServiceHarness.run { service in
            try await service.putProduct("SKU-1")
            for literal in ["1e309", "-0", "1.0", "9223372036854775808", "-1", "0x10", "1E2"] {
                let order =
                    #"{"customerId":"c","items":[{"sku":"SKU-1","quantity":\#(literal)}],"paymentToken":"tok_visa",\#(Self.address)}"#
                let answer = try await service.request(.POST, "/v1/orders", body: order)
                #expect([400, 422].contains(answer.status), "\(literal): \(answer.status)")
                #expect(answer.contentType == "application/problem+json")
                let product = #"{"sku":"X","name":"X","price":{"amount":"1.00","currency":"USD"},"stock":\#(literal)}"#
                #expect(
                    [400, 422].contains(try await service.request(.POST, "/v1/products", body: product).status),
                    "\(literal)")
            }
            for amount in ["1e309", "12.5", "-0"] {
                let product = #"{"sku":"X","name":"X","price":{"amount":\#(amount),"currency":"USD"},"stock":1}"#
                let answer = try await service.request(.POST, "/v1/products", body: product)
                #expect(answer.status == 422, "\(amount)")
                #expect(try answer.problemFields == ["price.amount"])
            }
            #expect(try await service.count("orders") == 0)
            #expect(try await service.count("products") == 1)
        }
    }

    @Test("NUL bytes, invalid UTF-8 and deep nesting are refused without storing anything")
    func malformedBytes() async throws {
        try await ServiceHarness.run { service in
            try await service.putProduct("SKU-1")
            let valid = Array(ServiceHarness.orderBody().utf8)
            let withRawNul = Array(ServiceHarness.orderBody(customer: "c-42").utf8).map {
                $0 == UInt8(ascii: "4") ? 0 : $0
            }
            let cases: [(String, [UInt8], Int)] = [
                ("raw NUL in a string", withRawNul, 400),
                ("escaped NUL in a string", Array(ServiceHarness.orderBody(customer: #"c\u0000"#).utf8), 422),
                ("invalid UTF-8", Array(valid.prefix(20)) + [0xFF, 0xFE] + Array(valid.dropFirst(20)), 400),
                ("overlong UTF-8", Array(#"{"customerId":""#.utf8) + [0xC0, 0xAF] + Array(#""}"#.utf8), 400),
                ("lone surrogate escape", Array(ServiceHarness.orderBody(customer: #"\ud800"#).utf8), 400),
                (
                    "10,000-deep arrays",
                    Array((String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)).utf8), 400
                ),
                (
                    "10,000-deep objects",
                    Array(
                        (String(repeating: #"{"a":"#, count: 10_000) + "1" + String(repeating: "}", count: 10_000)).utf8
                    ), 400
                ),
            ]
            for (name, body, status) in cases {
                let answer = try await service.request(.POST, "/v1/orders", bodyBytes: body)
                #expect(answer.status == status, "\(name): \(answer.status) \(answer.text)")
                #expect(answer.contentType == "application/problem+json", "\(name)")
            }
            #expect(try await service.count("orders") == 0)
        }
    }

    @Test("a 10 MB body is refused with 413, whether declared or streamed, and nothing is stored")
    func hugeBodies() async throws {
        try await ServiceHarness.run { service in
            // Declared: the answer comes from the head alone, before any of the body is sent.
            let declared = try RawConnection(port: service.port)
            try await declared.send(
                "POST /v1/orders HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(ServiceHarness.operatorKey)\r\n"
                    + "Content-Type: application/json\r\nContent-Length: 10485760\r\n\r\n")
            let answer = try await declared.readResponse(limit: 64 * 1024)
            #expect(answer.hasPrefix("HTTP/1.1 413"), "\(answer.prefix(200))")
            #expect(answer.contains("application/problem+json"))

            // Streamed, no length: refused once 64 KiB have arrived.
            var request = HTTPClientRequest(url: service.baseURL + "/v1/orders")
            request.method = .POST
            request.headers.add(name: "Authorization", value: "Bearer \(ServiceHarness.operatorKey)")
            request.headers.add(name: "Content-Type", value: "application/json")
            let chunk = ByteBuffer(repeating: UInt8(ascii: " "), count: 64 * 1024)
            request.body = .stream(
                AsyncStream { continuation in
                    for _ in 0..<160 { continuation.yield(chunk) }
                    continuation.finish()
                }, length: .unknown)
            let streamed = try await service.http.execute(request, timeout: .seconds(30))
            #expect(streamed.status.code == 413)
            #expect(streamed.headers.first(name: "content-type") == "application/problem+json")
            #expect(try await service.count("orders") == 0)
            #expect(try await service.request(.GET, "/health/live", key: nil).status == 200)
        }
    }

    @Test("ids such as ../../x, %00 and $where are refused as ids, never resolved as paths")
    func hostileIds() async throws {
        try await ServiceHarness.run { service in
            for path in [
                "/v1/orders/..%2F..%2Fx", "/v1/orders/%2E%2E", "/v1/orders/x%00y", "/v1/orders/%24where/saga",
                "/v1/orders/ord_01jd3k2x4q8m9v7t6r5p4n3b2a%00/events", "/v1/products/..%2Fsecret",
                "/v1/products/%24gt",
            ] {
                let answer = try await service.request(.GET, path)
                #expect([404, 422].contains(answer.status), "\(path): \(answer.status)")
                #expect(answer.contentType == "application/problem+json", "\(path)")
            }
            let traversal = try await service.request(.GET, "/v1/orders/../../etc/passwd")
            #expect([404, 422].contains(traversal.status))
        }
    }

    @Test("a request with a thousand headers is refused and the server keeps serving")
    func thousandHeaders() async throws {
        try await ServiceHarness.run { service in
            let connection = try RawConnection(port: service.port)
            var head = "GET /health/live HTTP/1.1\r\nHost: x\r\n"
            for index in 0..<1000 { head += "X-Pad-\(index): value\r\n" }
            try await connection.send(head + "\r\n")
            let answer = try await connection.readAll(limit: 4096)
            #expect(answer.hasPrefix("HTTP/1.1 400") || answer.isEmpty, "\(answer.prefix(100))")
            #expect(try await service.request(.GET, "/health/live", key: nil).status == 200)
        }
    }

    @Test("a slowloris client is dropped after the idle timeout while others are served")
    func slowloris() async throws {
        try await ServiceHarness.run(environment: ["HTTP_IDLE_TIMEOUT": "1s"]) { service in
            let slow = try RawConnection(port: service.port, readTimeout: .seconds(8))
            try await slow.send("GET /health/live HTTP/1.1\r\nHost: x\r\n")
            var dropped = false
            for index in 0..<40 {
                try await Task.sleep(for: .milliseconds(100))
                guard try await slow.send("X-Slow-\(index): ") else {
                    dropped = true
                    break
                }
                #expect(try await service.request(.GET, "/health/live", key: nil).status == 200, "others are served")
            }
            let closed = dropped ? true : try await slow.isClosedByPeer()
            #expect(closed, "the slow client was dropped within 40 trickled headers")
        }
    }
}

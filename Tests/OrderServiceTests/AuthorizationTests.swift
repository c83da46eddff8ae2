import Foundation
import Testing

/// API keys and roles: 401 without a known key, 403 for the wrong role, customers see only their orders.
@Suite("Authorization over HTTP")
struct AuthorizationTests {
    @Test("401 without a key or with an unknown one, as problem+json with WWW-Authenticate")
    func unauthorized() async throws {
        try await ServiceHarness.run { service in
            for key in [nil, "nope-not-a-key", ""] as [String?] {
                let answer = try await service.request(.GET, "/v1/sagas", key: key)
                #expect(answer.status == 401)
                #expect(answer.contentType == "application/problem+json")
                #expect(answer.headers.first(name: "www-authenticate") == "Bearer")
            }
            let basic = try await service.request(
                .GET, "/v1/sagas", key: nil, headers: [("Authorization", "Basic dXNlcjpwYXNz")])
            #expect(basic.status == 401)
            #expect(try await service.request(.GET, "/health/ready", key: nil).status == 200, "health needs no key")
            for spelling in ["bearer \(ServiceHarness.operatorKey)", "Bearer   \(ServiceHarness.operatorKey)"] {
                let accepted = try await service.request(
                    .GET, "/v1/sagas/stats", key: nil, headers: [("Authorization", spelling)])
                #expect(accepted.status == 200, "the scheme is case-insensitive and may be followed by several spaces")
            }
        }
    }

    @Test("403 for a customer key on operator endpoints")
    func forbidden() async throws {
        try await ServiceHarness.run { service in
            try await service.putProduct("SKU-1")
            let orderId = try await service.placeOrder(key: ServiceHarness.customerKey)
            let key = ServiceHarness.customerKey
            let answers = [
                try await service.request(.GET, "/v1/sagas", key: key),
                try await service.request(.GET, "/v1/sagas/stats", key: key),
                try await service.request(
                    .POST, "/v1/products", key: key,
                    body: #"{"sku":"Y","name":"Y","price":{"amount":"1.00","currency":"USD"},"stock":1}"#),
                try await service.request(.POST, "/v1/orders/\(orderId)/approve", key: key),
                try await service.request(.POST, "/v1/orders/\(orderId)/reject", key: key),
                try await service.request(.POST, "/v1/orders/\(orderId)/refund", key: key),
            ]
            for answer in answers {
                #expect(answer.status == 403, "\(answer.text)")
                #expect(answer.contentType == "application/problem+json")
            }
            #expect(try await service.request(.GET, "/v1/orders/\(orderId)", key: key).status == 200)
            #expect(try await service.request(.GET, "/v1/products/SKU-1", key: key).status == 200)
        }
    }

    @Test("a key bound to a customer places orders only for it and sees only its orders")
    func boundCustomer() async throws {
        try await ServiceHarness.run { service in
            try await service.putProduct("SKU-1")
            let others = try await service.placeOrder(customer: "c-7")
            let own = try await service.placeOrder(key: ServiceHarness.boundKey, customer: "c-42")
            let bound = ServiceHarness.boundKey
            #expect(try await service.request(.GET, "/v1/orders/\(own)", key: bound).status == 200)
            #expect(try await service.request(.GET, "/v1/orders/\(others)", key: bound).status == 404)
            #expect(try await service.request(.GET, "/v1/orders/\(others)/saga", key: bound).status == 404)
            #expect(try await service.request(.GET, "/v1/orders/\(others)/events", key: bound).status == 404)
            #expect(try await service.request(.POST, "/v1/orders/\(others)/cancel", key: bound).status == 404)
            let forOther = try await service.request(
                .POST, "/v1/orders", key: bound, body: ServiceHarness.orderBody(customer: "c-7"))
            #expect(forOther.status == 403)
            #expect(try await service.count("orders") == 2)
        }
    }

    @Test("a custom role of AUTH_ROLES may do its actions and is refused the others")
    func customRole() async throws {
        let environment = [
            "AUTH_ROLES": "support=orders.read,sagas.read,sagas.cancel",
            "API_KEYS": "\(ServiceHarness.operatorKey):operator,support-key-1:support",
        ]
        try await ServiceHarness.run(environment: environment) { service in
            try await service.putProduct("BIG", price: "600.00", stock: 5)
            let orderId = try await service.placeOrder(items: [("BIG", 2)])
            try await service.waitForStatus(orderId, in: ["AWAITING_APPROVAL"])
            let key = "support-key-1"
            #expect(try await service.request(.GET, "/v1/sagas", key: key).status == 200)
            #expect(try await service.request(.GET, "/v1/orders/\(orderId)/saga", key: key).status == 200)
            #expect(try await service.request(.POST, "/v1/orders/\(orderId)/approve", key: key).status == 403)
            #expect(
                try await service.request(.POST, "/v1/orders", key: key, body: ServiceHarness.orderBody()).status == 403
            )
            let cancel = try await service.request(
                .POST, "/v1/orders/\(orderId)/cancel", key: key, body: #"{"reason":"customer called"}"#)
            #expect(cancel.status == 202)
            let saga = try await service.waitForTerminal(orderId)
            let history = saga["history"] as? [[String: Any]] ?? []
            let request = try #require(history.first { $0["type"] as? String == "CancelRequested" })
            let payload = (request["data"] as? [String: Any])?["payload"] as? [String: Any]
            #expect(payload?["role"] as? String == "support")
            #expect(payload?["reason"] as? String == "customer called")
        }
    }
}

import Foundation
import Testing

@testable import Identity
@testable import OrderService

/// Bearer JWTs from an OIDC provider: signatures (RS256, ES256, EdDSA) against its published keys, the claims, roles
/// and customer from configured claims, key rotation, and 401s that say what is wrong and leak nothing.
@Suite("Token authentication over HTTP")
struct TokenAuthenticationTests {
    static func environment(jwksURL: String) -> [String: String] {
        [
            "AUTH_ISSUER": TestIssuer.issuer, "AUTH_AUDIENCE": TestIssuer.audience, "AUTH_JWKS_URL": jwksURL,
            "AUTH_CUSTOMER_CLAIM": "customer_id", "AUTH_ROLES": "support=orders.read,sagas.read,sagas.cancel",
        ]
    }

    @Test("tokens signed with each algorithm act in the roles their claim names; API keys still work")
    func rolesFromTokens() async throws {
        let issuer = try await TestIssuer.make()
        try await issuer.serving { url in
            try await ServiceHarness.run(environment: Self.environment(jwksURL: url)) { service in
                let admin = try await issuer.token(.init(sub: "alice", roles: ["operator"]), kid: "es")
                let put = try await service.request(
                    .POST, "/v1/products", key: admin,
                    body: #"{"sku":"SKU-1","name":"W","price":{"amount":"5.00","currency":"USD"},"stock":9}"#)
                #expect(put.status == 200, "\(put.text)")
                let audit = try await service.request(.GET, "/v1/audit", key: admin).json["items"] as? [[String: Any]]
                #expect(audit?.first?["actor"] as? String == "alice", "the subject is who acted")

                let me = try await service.request(.GET, "/v1/me", key: admin).json
                #expect(me["subject"] as? String == "alice" && me["role"] as? String == "operator")

                let watcher = try await issuer.token(.init(sub: "bob", roles: ["viewer", "support"]), kid: "ed")
                #expect(try await service.request(.GET, "/v1/sagas", key: watcher).status == 200)
                let viewerMe = try await service.request(.GET, "/v1/me", key: watcher).json
                #expect(viewerMe["role"] as? String == "support+viewer")
                #expect(try await service.request(.POST, "/v1/products", key: watcher, body: "{}").status == 403)

                let shopper = try await issuer.token(
                    .init(sub: "carol", roles: ["customer", "no-such-role"], customer_id: "c-42"), kid: "rs")
                let own = try await service.request(
                    .POST, "/v1/orders", key: shopper, body: ServiceHarness.orderBody(customer: "c-42"))
                #expect(own.status == 202, "\(own.text)")
                let other = try await service.request(
                    .POST, "/v1/orders", key: shopper, body: ServiceHarness.orderBody(customer: "c-7"))
                #expect(other.status == 403, "a token bound to c-42 places orders for it only")

                let nobody = try await issuer.token(.init(sub: "dave", roles: ["no-such-role"]))
                #expect(try await service.request(.GET, "/v1/products/SKU-1", key: nobody).status == 403)
                #expect(try await service.request(.GET, "/v1/sagas").status == 200, "the operator API key still works")
                #expect(issuer.fetchCount == 1, "the key set is fetched once and cached")
            }
        }
    }

    @Test("a bad token is 401 with error=\"invalid_token\" and a reason that repeats none of it")
    func refusals() async throws {
        let issuer = try await TestIssuer.make()
        try await issuer.serving { url in
            try await ServiceHarness.run(environment: Self.environment(jwksURL: url)) { service in
                let now = Date().timeIntervalSince1970
                let good = try await issuer.token(.init(sub: "alice", roles: ["operator"]))
                let parts = good.split(separator: ".").map(String.init)
                let none = Self.base64URL(#"{"alg":"none","typ":"JWT"}"#) + "." + parts[1] + "."
                let hs256 = Self.base64URL(#"{"alg":"HS256","typ":"JWT","kid":"es"}"#) + "." + parts[1] + "." + parts[2]
                let cases: [(String, String)] = [
                    (try await issuer.token(.init(sub: "a", exp: now - 120, roles: ["operator"])), "expired"),
                    (try await issuer.token(.init(sub: "a", nbf: now + 600, roles: ["operator"])), "not valid yet"),
                    (try await issuer.token(.init(aud: ["another-app"], sub: "a", roles: ["operator"])), "audience"),
                    (
                        try await issuer.token(.init(iss: "https://evil.example", sub: "a", roles: ["operator"])),
                        "issuer"
                    ),
                    (parts[0] + "." + parts[1] + "." + String(parts[2].reversed()), "signature"),
                    (none, "algorithm"), (hs256, "algorithm"), ("a.b.c", "well-formed"),
                    (try await issuer.token(.init(sub: "", roles: ["operator"])), "no subject"),
                    (try await issuer.token(.init(sub: "a", exp: nil, roles: ["operator"])), "expired"),
                    (
                        try await issuer.token(.init(audOne: "other order-saga", sub: "a", roles: ["operator"])),
                        "audience"
                    ),
                    (try await issuer.token(.init(sub: "a", roles: ["customer"])), "names no customer"),
                ]
                for (token, reason) in cases {
                    let answer = try await service.request(.GET, "/v1/sagas", key: token)
                    #expect(answer.status == 401, "\(reason): \(answer.text)")
                    let challenge = answer.headers.first(name: "www-authenticate") ?? ""
                    #expect(challenge.hasPrefix(#"Bearer error="invalid_token""#), "\(challenge)")
                    #expect(answer.text.contains(reason), "\(answer.text)")
                    #expect(!answer.text.contains(token) && !challenge.contains(token))
                }
                let skewed = try await issuer.token(.init(sub: "a", exp: now - 30, roles: ["operator"]))
                #expect(try await service.request(.GET, "/v1/sagas", key: skewed).status == 200, "60 s of leeway")
                let single = try await issuer.token(.init(audOne: TestIssuer.audience, sub: "a", roles: ["operator"]))
                #expect(try await service.request(.GET, "/v1/sagas", key: single).status == 200, "aud as one string")
            }
        }
    }

    @Test("a caller bound to a customer sees that customer's sagas only, whatever its roles allow")
    func boundCustomer() async throws {
        let issuer = try await TestIssuer.make()
        try await issuer.serving { url in
            try await ServiceHarness.run(environment: Self.environment(jwksURL: url)) { service in
                try await service.putProduct("SKU-1")
                let own = try await service.placeOrder(customer: "c-42")
                let other = try await service.placeOrder(customer: "c-7")
                for orderId in [own, other] { try await service.waitForTerminal(orderId) }
                let token = try await issuer.token(
                    .init(sub: "erin", roles: ["customer", "operator"], customer_id: "c-42"))
                let listed = try await service.request(.GET, "/v1/sagas?customerId=c-7", key: token).json
                let orderIds = (listed["items"] as? [[String: Any]])?.compactMap { $0["orderId"] as? String }
                #expect(orderIds == [own], "the list is narrowed to the bound customer")
                #expect(try await service.request(.GET, "/v1/sagas", key: token).status == 422)
                for path in ["/v1/sagas/stats", "/v1/sagas/changes", "/v1/audit"] {
                    #expect(try await service.request(.GET, path, key: token).status == 403, "\(path)")
                }
                #expect(try await service.request(.GET, "/v1/audit?orderId=\(other)", key: token).status == 404)
                #expect(try await service.request(.GET, "/v1/orders/\(other)", key: token).status == 404)
                let retry = try await service.request(
                    .POST, "/v1/sagas/retry", key: token, body: #"{"status":"STUCK"}"#)
                #expect(retry.status == 403)
            }
        }
    }

    @Test("a role allowed only to approve may approve: a command checks its one action")
    func singleActionRole() async throws {
        let issuer = try await TestIssuer.make()
        try await issuer.serving { url in
            var environment = Self.environment(jwksURL: url)
            environment["AUTH_ROLES"] = "approver=sagas.approve"
            try await ServiceHarness.run(environment: environment) { service in
                try await service.putProduct("BIG", price: "600.00", stock: 5)
                let orderId = try await service.placeOrder(items: [("BIG", 2)])
                try await service.waitForStatus(orderId, in: ["AWAITING_APPROVAL"])
                let approver = try await issuer.token(.init(sub: "frank", roles: ["approver"]))
                #expect(try await service.request(.GET, "/v1/orders/\(orderId)", key: approver).status == 403)
                let approved = try await service.request(.POST, "/v1/orders/\(orderId)/approve", key: approver)
                #expect(approved.status == 202, "\(approved.text)")
            }
        }
    }

    @Test("a token signed with a key not yet known fetches the key set again once; unknown key ids cannot hammer it")
    func keyRotation() async throws {
        let issuer = try await TestIssuer.make()
        try await issuer.serving { url in
            try await ServiceHarness.run(environment: Self.environment(jwksURL: url)) { service in
                let current = try await issuer.token(.init(sub: "alice", roles: ["operator"]))
                #expect(try await service.request(.GET, "/v1/sagas", key: current).status == 200)
                #expect(issuer.fetchCount == 1)
                issuer.publishNextKey()
                let rotated = try await issuer.token(.init(sub: "alice", roles: ["operator"]), kid: "es-next")
                #expect(try await service.request(.GET, "/v1/sagas", key: rotated).status == 200)
                #expect(issuer.fetchCount == 2, "one fetch for the new key")
                let signed = current.split(separator: ".").map(String.init)
                for index in 0..<5 {
                    let header = Self.base64URL(#"{"alg":"ES256","kid":"gone-\#(index)","typ":"JWT"}"#)
                    let bogus = header + "." + signed[1] + "." + signed[2]
                    let answer = try await service.request(.GET, "/v1/sagas", key: bogus)
                    #expect(answer.status == 401)
                }
                #expect(issuer.fetchCount == 2, "unknown key ids within the refetch interval fetch nothing")
            }
        }
    }

    @Test("Cache-Control max-age sets how long keys are kept, within 30 s and a day")
    func maxAge() {
        #expect(KeySetSource.maxAge(["public, max-age=600"]) == .seconds(600))
        #expect(KeySetSource.maxAge(["max-age=5"]) == .seconds(30))
        #expect(KeySetSource.maxAge(["max-age=999999"]) == .seconds(86_400))
        #expect(KeySetSource.maxAge([]) == .seconds(300))
    }

    @Test("incomplete token settings refuse to start, naming what is missing")
    func configuration() {
        #expect(throws: ServiceConfiguration.Invalid.self) {
            try ServiceConfiguration.fromEnvironment(["AUTH_ISSUER": "https://id.example"])
        }
        for url in ["ftp://x", "http://id.example/jwks"] {
            #expect(throws: ServiceConfiguration.Invalid.self, "\(url)") {
                try ServiceConfiguration.fromEnvironment([
                    "AUTH_ISSUER": "https://id.example", "AUTH_AUDIENCE": "a", "AUTH_JWKS_URL": url,
                ])
            }
        }
    }

    static func base64URL(_ text: String) -> String {
        Data(text.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}

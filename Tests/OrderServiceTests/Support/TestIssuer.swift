import Foundation
import Hummingbird
import JWTKit
import Logging
import ServiceLifecycle
import Synchronization
import _CryptoExtras

/// An OIDC issuer for tests: ES256, EdDSA and RS256 signing keys, tokens signed with them, and their JWKS served over
/// HTTP on 127.0.0.1 (with `Cache-Control: max-age=600`), counting the fetches.
final class TestIssuer: Sendable {
    static let issuer = "https://id.test.example"
    static let audience = "order-saga"

    /// The claims a test token carries (`aud` as a list, or as one string with `audOne`; `exp` left out when nil).
    struct Claims: JWTPayload {
        var iss: String = TestIssuer.issuer
        var aud: [String] = [TestIssuer.audience]
        var audOne: String?
        var sub: String
        var exp: Double? = Date().timeIntervalSince1970 + 300
        var nbf: Double?
        var roles: [String]
        var customer_id: String?

        enum CodingKeys: String, CodingKey {
            case iss, aud, sub, exp, nbf, roles, customer_id
        }

        init(
            iss: String = TestIssuer.issuer, aud: [String] = [TestIssuer.audience], audOne: String? = nil, sub: String,
            exp: Double? = Date().timeIntervalSince1970 + 300, nbf: Double? = nil, roles: [String],
            customer_id: String? = nil
        ) {
            (self.iss, self.aud, self.audOne, self.sub, self.exp) = (iss, aud, audOne, sub, exp)
            (self.nbf, self.roles, self.customer_id) = (nbf, roles, customer_id)
        }

        init(from decoder: any Decoder) throws {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "test tokens are only signed"))
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(iss, forKey: .iss)
            if let audOne {
                try container.encode(audOne, forKey: .aud)
            } else {
                try container.encode(aud, forKey: .aud)
            }
            try container.encode(sub, forKey: .sub)
            try container.encodeIfPresent(exp, forKey: .exp)
            try container.encodeIfPresent(nbf, forKey: .nbf)
            try container.encode(roles, forKey: .roles)
            try container.encodeIfPresent(customer_id, forKey: .customer_id)
        }

        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    let signers = JWTKeyCollection()
    private let published: Mutex<[String]>
    private let fetches = Atomic<Int>(0)
    private let extraKeys: [String: String]

    private init(published: [String], extraKeys: [String: String]) {
        self.published = Mutex(published)
        self.extraKeys = extraKeys
    }

    /// An issuer whose JWKS publishes `es`, `ed` and `rs`; `es-next` signs too but is published only after
    /// ``publishNextKey()``.
    static func make() async throws -> TestIssuer {
        let es = ES256PrivateKey()
        let next = ES256PrivateKey()
        let ed = try EdDSA.PrivateKey(curve: .ed25519)
        let rs = try Insecure.RSA.PrivateKey(backing: _RSA.Signing.PrivateKey(keySize: .bits2048))
        func ec(_ key: ES256PrivateKey, kid: String) -> String {
            let parameters = key.publicKey.parameters!
            return
                #"{"kty":"EC","crv":"P-256","x":"\#(parameters.x)","y":"\#(parameters.y)","kid":"\#(kid)","alg":"ES256","use":"sig"}"#
        }
        let edX = base64URL(ed.publicKey.rawRepresentation)
        let (modulus, exponent) = try rs.publicKey.getKeyPrimitives()
        let keys = [
            "es": ec(es, kid: "es"),
            "ed": #"{"kty":"OKP","crv":"Ed25519","x":"\#(edX)","kid":"ed","alg":"EdDSA","use":"sig"}"#,
            "rs":
                #"{"kty":"RSA","n":"\#(base64URL(modulus))","e":"\#(base64URL(exponent))","kid":"rs","alg":"RS256","use":"sig"}"#,
            "es-next": ec(next, kid: "es-next"),
        ]
        let issuer = TestIssuer(published: ["es", "ed", "rs"], extraKeys: keys)
        await issuer.signers.add(ecdsa: es, kid: "es")
        await issuer.signers.add(ecdsa: next, kid: "es-next")
        await issuer.signers.add(eddsa: ed, kid: "ed")
        await issuer.signers.add(rsa: rs, digestAlgorithm: .sha256, kid: "rs")
        return issuer
    }

    /// A token for `claims` signed with key `kid`.
    func token(_ claims: Claims, kid: String = "es") async throws -> String {
        try await signers.sign(claims, kid: JWKIdentifier(string: kid))
    }

    /// The JWKS document of the published keys.
    var jwks: String {
        #"{"keys":[\#(published.withLock { $0 }.compactMap { extraKeys[$0] }.joined(separator: ","))]}"#
    }

    /// Publishes `es-next` (a key rotation).
    func publishNextKey() { published.withLock { $0.append("es-next") } }

    /// How many times the JWKS was fetched.
    var fetchCount: Int { fetches.load(ordering: .relaxed) }

    /// Runs `body` while the JWKS is served; passes its URL.
    func serving<T: Sendable>(_ body: @Sendable (String) async throws -> T) async throws -> T {
        let router = Router()
        router.get("/jwks") { _, _ -> Response in
            self.fetches.add(1, ordering: .relaxed)
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            headers[.cacheControl] = "public, max-age=600"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: self.jwks)))
        }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let logger = Logger(label: "issuer", factory: { _ in SwiftLogNoOpLogHandler() })
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) }, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                defer { continuation.finish() }
                try await group.run()
            }
            guard let port = await ports.first(where: { _ in true }) else { throw HarnessError("no JWKS server") }
            do {
                let result = try await body("http://127.0.0.1:\(port)/jwks")
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return result
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
        }
    }

    private static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

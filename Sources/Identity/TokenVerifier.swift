import Foundation
import JSONValues
import JWTKit

/// Verifies OIDC bearer tokens (RS256, ES256, EdDSA) against an issuer's published keys and reads who the caller is.
///
/// ```swift
/// let verifier = TokenVerifier(settings: .init(issuer: "https://id.example.com", audience: "order-saga"), keys: source)
/// let identity = try await verifier.verify(token)   // subject, roles, customer
/// ```
public struct TokenVerifier: Sendable {
    /// What a token must say, and where its roles and customer are.
    public struct Settings: Sendable, Hashable {
        /// The `iss` a token must carry.
        public var issuer: String
        /// An `aud` a token must carry (a string or one of a list).
        public var audience: String
        /// The claim (or dotted path, `realm_access.roles`) holding the caller's roles: a list or a space-separated
        /// string.
        public var rolesClaim: String
        /// The claim binding the caller to one customer, if any.
        public var customerClaim: String?
        /// How far `exp` and `nbf` may be off, for clock skew.
        public var leeway: TimeInterval

        /// Creates settings.
        public init(
            issuer: String, audience: String, rolesClaim: String = "roles", customerClaim: String? = nil,
            leeway: TimeInterval = 60
        ) {
            self.issuer = issuer
            self.audience = audience
            self.rolesClaim = rolesClaim
            self.customerClaim = customerClaim
            self.leeway = leeway
        }
    }

    /// Who a verified token names.
    public struct Identity: Sendable, Hashable {
        /// The `sub` claim.
        public var subject: String
        /// The role names of the roles claim, as given.
        public var roles: [String]
        /// The customer of the customer claim, if configured and present.
        public var customerId: String?
    }

    /// Why a token is refused; the descriptions say what is wrong without repeating any of the token.
    public enum Failure: Error, Sendable, Hashable, CustomStringConvertible {
        case malformed
        case unsupportedAlgorithm
        case unknownKey
        case badSignature
        case expired
        case notYetValid
        case wrongIssuer
        case wrongAudience
        case noSubject
        /// The issuer's keys could not be had (its endpoint is down and none are cached): not the caller's fault.
        case keysUnavailable

        public var description: String {
            switch self {
            case .malformed: "the token is not a well-formed JWT"
            case .unsupportedAlgorithm: "the token's algorithm is not one of RS256, ES256, EdDSA"
            case .unknownKey: "the token was signed with a key the issuer does not publish"
            case .badSignature: "the token's signature does not verify"
            case .expired: "the token has expired"
            case .notYetValid: "the token is not valid yet"
            case .wrongIssuer: "the token was issued by another issuer"
            case .wrongAudience: "the token is meant for another audience"
            case .noSubject: "the token names no subject"
            case .keysUnavailable: "the identity provider's keys cannot be fetched"
            }
        }
    }

    /// The algorithms accepted; any other (`none`, `HS256`, …) is refused before a key is looked up.
    static let algorithms: Set<String> = ["RS256", "ES256", "EdDSA"]

    /// What tokens must say.
    public let settings: Settings
    let keys: KeySetSource
    let now: @Sendable () -> Date

    /// A verifier of tokens against `keys`, at the time `now` gives.
    public init(settings: Settings, keys: KeySetSource, now: @escaping @Sendable () -> Date = Date.init) {
        self.settings = settings
        self.keys = keys
        self.now = now
    }

    /// Whether `credential` has the shape of a JWT (three base64url parts), as opposed to an API key.
    public static func looksLikeToken(_ credential: String) -> Bool {
        credential.split(separator: ".", omittingEmptySubsequences: false).count == 3
    }

    /// The identity of a valid token; throws a ``Failure`` otherwise.
    public func verify(_ token: String) async throws(Failure) -> Identity {
        let header = try Self.header(of: token)
        guard let algorithm = header["alg"], Self.algorithms.contains(algorithm) else {
            throw .unsupportedAlgorithm
        }
        let collection = try await keys.collection(containing: header["kid"])
        let claims: TokenClaims
        do {
            claims = try await collection.verify(token, as: TokenClaims.self, iteratingKeys: header["kid"] == nil)
        } catch let error as JWTError where error.errorType == .unknownKID || error.errorType == .noKeyProvided {
            throw .unknownKey
        } catch let error as JWTError where error.errorType == .malformedToken {
            throw .malformed
        } catch {
            throw .badSignature
        }
        return try identity(in: claims)
    }

    /// Checks the claims (times with leeway, issuer, audience, subject) and reads the identity.
    func identity(in claims: TokenClaims) throws(Failure) -> Identity {
        let now = now().timeIntervalSince1970
        guard let expiry = claims.seconds("exp"), now <= expiry + settings.leeway else { throw .expired }
        if let notBefore = claims.seconds("nbf"), now + settings.leeway < notBefore { throw .notYetValid }
        guard case .string(let issuer) = claims["iss"], issuer == settings.issuer else { throw .wrongIssuer }
        guard Self.names(settings.audience, in: claims["aud"]) else { throw .wrongAudience }
        guard case .string(let subject) = claims["sub"], !subject.isEmpty else { throw .noSubject }
        var customerId: String?
        if let claim = settings.customerClaim {
            if case .string(let value) = claims[claim], !value.isEmpty {
                customerId = value
            } else if let value = claims[claim]?.number, value == value.rounded(), abs(value) < 1e15 {
                customerId = String(Int64(value))
            }
        }
        return Identity(subject: subject, roles: claims[settings.rolesClaim]?.names ?? [], customerId: customerId)
    }

    /// Whether an `aud` claim names `audience`: a string equal to it (one value, never split), or a list holding it.
    static func names(_ audience: String, in claim: JSONValue?) -> Bool {
        switch claim {
        case .string(let value): value == audience
        case .array(let values): values.contains(.string(audience))
        default: false
        }
    }

    /// The header's string members (`alg`, `kid`), read before anything is verified.
    static func header(of token: String) throws(Failure) -> [String: String] {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let bytes = Base64URL.decode(parts[0]),
            let object = try? JSONSerialization.jsonObject(with: bytes) as? [String: Any]
        else { throw .malformed }
        return object.compactMapValues { $0 as? String }
    }
}

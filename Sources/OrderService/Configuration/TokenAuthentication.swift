import Foundation
import Identity

/// How bearer JWTs are accepted: the issuer and audience they must name, where the issuer's keys are, and which
/// claims hold the caller's roles and customer.
public struct TokenAuthentication: Sendable, Hashable {
    /// Where the issuer's keys are.
    public enum Keys: Sendable, Hashable {
        /// `AUTH_JWKS_URL`: fetched, cached per `Cache-Control`, fetched again on an unknown key id.
        case url(String)
        /// `AUTH_JWKS_FILE`: the JWKS document it held at start.
        case document(String)
    }

    /// What tokens must say, and where roles and customer are.
    public var settings: TokenVerifier.Settings
    /// Where the keys are.
    public var keys: Keys

    /// The settings of `AUTH_ISSUER`, `AUTH_AUDIENCE`, `AUTH_JWKS_URL` or `AUTH_JWKS_FILE`, `AUTH_ROLES_CLAIM` and
    /// `AUTH_CUSTOMER_CLAIM`; nil when none of the first four is set, an error when only some are.
    static func fromEnvironment(_ value: (String) -> String?) throws -> TokenAuthentication? {
        let issuer = value("AUTH_ISSUER")
        let audience = value("AUTH_AUDIENCE")
        let url = value("AUTH_JWKS_URL")
        let file = value("AUTH_JWKS_FILE")
        guard issuer != nil || audience != nil || url != nil || file != nil else { return nil }
        typealias Invalid = ServiceConfiguration.Invalid
        guard let issuer, let audience else {
            throw Invalid(description: "bearer tokens need both AUTH_ISSUER and AUTH_AUDIENCE")
        }
        let keys: Keys
        switch (url, file) {
        case (let url?, nil):
            guard let parsed = URL(string: url), let host = parsed.host,
                parsed.scheme == "https"
                    || (parsed.scheme == "http" && ["127.0.0.1", "localhost", "::1"].contains(host))
            else {
                // Keys fetched in the clear could be swapped on the way: only a loopback issuer may use http.
                throw Invalid(description: "AUTH_JWKS_URL must be an https URL (http only on 127.0.0.1 or localhost)")
            }
            keys = .url(url)
        case (nil, let file?):
            guard let data = FileManager.default.contents(atPath: file) else {
                throw Invalid(description: "AUTH_JWKS_FILE \(file) cannot be read")
            }
            keys = .document(String(decoding: data, as: UTF8.self))
        default:
            throw Invalid(description: "bearer tokens need one of AUTH_JWKS_URL and AUTH_JWKS_FILE")
        }
        return TokenAuthentication(
            settings: TokenVerifier.Settings(
                issuer: issuer, audience: audience, rolesClaim: value("AUTH_ROLES_CLAIM") ?? "roles",
                customerClaim: value("AUTH_CUSTOMER_CLAIM")),
            keys: keys)
    }
}

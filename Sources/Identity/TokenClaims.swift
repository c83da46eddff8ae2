import JSONValues
import JWTKit

/// Every claim of a token's payload; the signature is checked by jwt-kit, the claims by ``TokenVerifier``.
struct TokenClaims: JWTPayload {
    /// The payload as an object.
    let payload: JSONValue

    init(from decoder: any Decoder) throws {
        payload = try JSONValue(from: decoder)
    }

    func encode(to encoder: any Encoder) throws {
        throw EncodingError.invalidValue(
            payload, .init(codingPath: [], debugDescription: "tokens are verified here, never signed"))
    }

    /// Claims are checked after the signature, against the verifier's settings.
    func verify(using algorithm: some JWTAlgorithm) async throws {}

    /// A claim by name or dotted path.
    subscript(path: String) -> JSONValue? { payload.value(at: path) }

    /// A numeric date claim (`exp`, `nbf`) in seconds since 1970.
    func seconds(_ name: String) -> Double? {
        self[name]?.number
    }
}

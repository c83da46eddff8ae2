import Foundation

/// An HTTP answer kept verbatim, so a repeated idempotency key gets exactly the same status and body.
struct StoredResponse: Codable, Sendable, Equatable {
    /// The HTTP status code.
    let status: Int
    /// The JSON body, byte for byte as first sent.
    let body: String

    /// Encodes `value` once as the body of an answer with `status`.
    static func json(status: Int, _ value: some Encodable) throws -> StoredResponse {
        let data = try SandboxJSON.makeEncoder().encode(value)
        return StoredResponse(status: status, body: String(decoding: data, as: UTF8.self))
    }

    /// An error answer `{error, message}` with `status`.
    static func error(status: Int, code: String, message: String) -> StoredResponse {
        // Encoding two strings cannot fail; the fallback only satisfies the type checker.
        (try? json(status: status, ErrorBody(error: code, message: message)))
            ?? StoredResponse(status: status, body: #"{"error":"\#(code)"}"#)
    }
}

/// The body of every error answer.
struct ErrorBody: Codable, Sendable, Equatable {
    /// A stable machine-readable code, e.g. `card_declined`.
    let error: String
    /// A human-readable explanation.
    let message: String
}

/// The body of answers that report that there was nothing to do, e.g. `{status: "nothing_to_refund"}`.
struct StatusBody: Codable, Sendable, Equatable {
    /// What happened.
    let status: String
}

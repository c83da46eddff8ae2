import Foundation
import Hummingbird

/// JSON answers.
extension Response {
    /// The name of the header set on answers repeated for a known idempotency key.
    static let replayedHeaderName = "Idempotent-Replayed"

    /// An `application/json` answer with `stored`'s status and body (ending with a newline, for terminals); `replayed`
    /// marks a repeated answer.
    static func json(_ stored: StoredResponse, replayed: Bool = false) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if replayed, let name = HTTPFields.Element.Name(replayedHeaderName) {
            headers[name] = "true"
        }
        return Response(
            status: .init(code: stored.status),
            headers: headers,
            body: .init(byteBuffer: ByteBuffer(string: stored.body + "\n")))
    }

    /// An `application/json` answer encoding `value` with `status`.
    static func json(status: Int, _ value: some Encodable) throws -> Response {
        json(try StoredResponse.json(status: status, value))
    }
}

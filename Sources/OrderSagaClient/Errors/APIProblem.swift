import Foundation

/// An RFC 9457 problem the service answered with: why it refused a request.
///
/// ```swift
/// catch OrderSagaClientError.refused(let problem) {
///     print(problem.title, problem.detail ?? "")
/// }
/// ```
public struct APIProblem: Decodable, Sendable, Equatable {
    /// One invalid field of a 422.
    public struct FieldError: Decodable, Sendable, Equatable {
        /// A JSON pointer or dotted path, such as `items[0].quantity`.
        public let field: String
        /// What is wrong with it.
        public let message: String
    }

    /// A URI naming the kind of problem.
    public let type: String?
    /// A short, stable summary of the kind.
    public let title: String
    /// The HTTP status.
    public let status: Int
    /// What went wrong this time.
    public let detail: String?
    /// For 422: each invalid field.
    public let errors: [FieldError]?

    /// Creates a problem.
    public init(type: String?, title: String, status: Int, detail: String?, errors: [FieldError]?) {
        self.type = type
        self.title = title
        self.status = status
        self.detail = detail
        self.errors = errors
    }

    /// The problem in an answer's body, or one made from its status when the body is not a problem.
    static func from(status: Int, reason: String, body: Data) -> APIProblem {
        if let decoded = try? JSONDecoder().decode(Decoded.self, from: body) {
            return APIProblem(
                type: decoded.type, title: decoded.title ?? reason, status: decoded.status ?? status,
                detail: decoded.detail, errors: decoded.errors)
        }
        let text = String(decoding: body.prefix(512), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return APIProblem(type: nil, title: reason, status: status, detail: text.isEmpty ? nil : text, errors: nil)
    }

    /// The members of a problem body, each optional so that a partial one still decodes.
    private struct Decoded: Decodable {
        let type: String?
        let title: String?
        let status: Int?
        let detail: String?
        let errors: [FieldError]?
    }
}

/// Conversions from the standard library's coding errors, which user-written `Codable` code may throw.
extension BSONError {
    /// The dotted path of a coding path: each key's `stringValue` (array indices are "0", "1", ...) joined by `.`.
    static func dottedPath(_ codingPath: [any CodingKey]) -> String {
        codingPath.map(\.stringValue).joined(separator: ".")
    }

    /// The same failure as a `BSONError`, keeping its path.
    init(_ error: DecodingError) {
        switch error {
        case .typeMismatch(let type, let context):
            self = .typeMismatch(
                path: Self.dottedPath(context.codingPath), expected: "\(type)", found: context.debugDescription)
        case .valueNotFound(let type, let context):
            self = .valueNotFound(path: Self.dottedPath(context.codingPath), expected: "\(type)")
        case .keyNotFound(let key, let context):
            self = .keyNotFound(path: Self.dottedPath(context.codingPath + [key]))
        case .dataCorrupted(let context):
            self = .dataCorrupted(path: Self.dottedPath(context.codingPath), reason: context.debugDescription)
        @unknown default:
            self = .dataCorrupted(path: "", reason: "\(error)")
        }
    }

    /// The same failure as a `BSONError`, keeping its path.
    init(_ error: EncodingError) {
        switch error {
        case .invalidValue(let value, let context):
            self = .encodingFailed(
                path: Self.dottedPath(context.codingPath), reason: "\(type(of: value)): \(context.debugDescription)")
        @unknown default:
            self = .encodingFailed(path: "", reason: "\(error)")
        }
    }
}

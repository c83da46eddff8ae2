/// An error raised while building, reading, encoding or decoding BSON.
///
/// Every case that concerns one field carries its dotted `path`: document keys joined by `.`, array elements by
/// their index (`items.2.quantity`); the top level is `""`.
///
/// ```swift
/// do {
///     let order = try BSONDecoder().decode(Order.self, from: document)
/// } catch let error as BSONError {
///     print(error)  // "items.1.quantity: expected Int but found string"
/// }
/// ```
public enum BSONError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A value had a BSON type the requested Swift type cannot be read from (or a container of the wrong kind).
    case typeMismatch(path: String, expected: String, found: String)
    /// A required key was absent.
    case keyNotFound(path: String)
    /// A non-optional value was `null` (or `undefined`), or an array ended early.
    case valueNotFound(path: String, expected: String)
    /// Bytes or Extended JSON that are not a valid BSON document.
    case invalidBSON(String)
    /// A value could not be written as BSON (out of range, inexact, or not a document at the top level).
    case encodingFailed(path: String, reason: String)
    /// A key containing a NUL byte, which BSON cannot store; the payload is the dotted path ending in that key.
    case invalidKey(String)
    /// A value had the right BSON type but an unusable content (out of range, not exact, not a valid raw value).
    case dataCorrupted(path: String, reason: String)

    /// The dotted path of the field concerned; `""` for the top level and for `invalidBSON`.
    public var path: String {
        switch self {
        case .typeMismatch(let path, _, _), .keyNotFound(let path), .valueNotFound(let path, _),
            .encodingFailed(let path, _), .dataCorrupted(let path, _):
            path
        case .invalidKey(let path):
            path
        case .invalidBSON:
            ""
        }
    }

    /// A one-line explanation that starts with the path, e.g. `items.2.quantity: expected Int but found string`.
    public var description: String {
        switch self {
        case .typeMismatch(let path, let expected, let found):
            "\(Self.label(path)): expected \(expected) but found \(found)"
        case .keyNotFound(let path):
            "\(Self.label(path)): required key not found"
        case .valueNotFound(let path, let expected):
            "\(Self.label(path)): expected \(expected) but found null"
        case .invalidBSON(let reason):
            "invalid BSON: \(reason)"
        case .encodingFailed(let path, let reason):
            "\(Self.label(path)): cannot encode: \(reason)"
        case .invalidKey(let path):
            "\(String(reflecting: path)): a BSON key must not contain a NUL byte"
        case .dataCorrupted(let path, let reason):
            "\(Self.label(path)): \(reason)"
        }
    }

    private static func label(_ path: String) -> String {
        path.isEmpty ? "top level" : path
    }
}

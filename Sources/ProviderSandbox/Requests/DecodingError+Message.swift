/// Turns JSON decoding failures into messages a client can act on.
extension DecodingError {
    /// A short description naming the offending field, e.g. `missing field 'address.city'`.
    var clientMessage: String {
        switch self {
        case .keyNotFound(let key, let context):
            return "missing field '\(Self.path(context.codingPath + [key]))'"
        case .valueNotFound(_, let context):
            return "field '\(Self.path(context.codingPath))' must not be null"
        case .typeMismatch(let type, let context):
            return "field '\(Self.path(context.codingPath))' must be of type \(type)"
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            return "the body is not valid JSON"
        case .dataCorrupted(let context):
            return "field '\(Self.path(context.codingPath))' is invalid: \(context.debugDescription)"
        @unknown default:
            return "the body could not be decoded"
        }
    }

    private static func path(_ codingPath: [any CodingKey]) -> String {
        var text = ""
        for key in codingPath {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : "." + key.stringValue
            }
        }
        return text.isEmpty ? "(body)" : text
    }
}

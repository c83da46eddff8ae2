/// A claim's JSON value, as a token's payload holds it.
public enum ClaimValue: Decodable, Sendable, Hashable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case array([ClaimValue])
    case object([String: ClaimValue])
    case null

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([ClaimValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: ClaimValue].self))
        }
    }

    /// The value at a dotted path through objects (`realm_access.roles`), or nil.
    func value(at path: String) -> ClaimValue? {
        var current: ClaimValue? = self
        for key in path.split(separator: ".") {
            guard case .object(let members) = current else { return nil }
            current = members[String(key)]
        }
        return current
    }

    /// The strings this value names: a string's space-separated words, or an array's strings.
    var names: [String] {
        switch self {
        case .string(let text): text.split(separator: " ").map(String.init)
        case .array(let values): values.compactMap { if case .string(let text) = $0 { text } else { nil } }
        default: []
        }
    }
}

import JSONValues

/// What the token checks read from a claim's JSON value.
extension JSONValue {
    /// The value at a dotted path through objects (`realm_access.roles`), or nil.
    func value(at path: String) -> JSONValue? {
        var current: JSONValue? = self
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

    /// The number this value holds, integer or not, as a `Double` (as claims such as `exp` are compared).
    var number: Double? {
        switch self {
        case .int(let value): Double(value)
        case .double(let value): value
        default: nil
        }
    }
}

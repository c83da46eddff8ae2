import SagaKit

/// Reads a parsed JSON body field by field, collecting every problem with its path instead of stopping at the first.
///
/// ```swift
/// let validator = BodyValidator()
/// let body = validator.object(root, at: "", allowed: ["sku", "name"])
/// let sku = validator.string(body?["sku"], at: "sku", rule: .identifier)
/// guard validator.errors.isEmpty, let sku else { throw Problem.validation(validator.errors) }
/// ```
final class BodyValidator {
    /// What a string field may contain.
    enum TextRule {
        /// Free text: 1…`maxLength` characters, no control characters.
        case text(maxLength: Int)
        /// An identifier: letters, digits and `.`, `_`, `:`, `-`, starting with a letter or digit, 1…`maxLength` long.
        case identifier(maxLength: Int)
        /// Exactly matches `predicate`, described by `expectation` in the error.
        case custom(expectation: String, maxLength: Int, predicate: @Sendable (String) -> Bool)
    }

    /// The problems found so far, in the order found.
    private(set) var errors: [FieldError] = []

    /// Records a problem.
    func fail(_ field: String, _ message: String) {
        errors.append(FieldError(field: field.isEmpty ? "/" : field, message: message))
    }

    /// The members of an object (nil, with a problem, when `node` is missing or not an object);
    /// members not in `allowed` are problems, reported in the order of their names.
    func object(_ node: JSONValue?, at path: String, allowed: Set<String>, required: Bool = true) -> ObjectFields? {
        guard let node, node != .null else {
            if required { fail(path, "is required") }
            return nil
        }
        guard case .object(let members) = node else {
            fail(path, "must be an object, not \(node.typeName)")
            return nil
        }
        for key in members.keys.sorted() where !allowed.contains(key) {
            fail(Self.join(path, key), "is not a known field")
        }
        return ObjectFields(members: members)
    }

    /// The elements of an array of `count` elements within `range` (nil, with a problem, otherwise).
    func array(_ node: JSONValue?, at path: String, count range: ClosedRange<Int>) -> [JSONValue]? {
        guard let node, node != .null else {
            fail(path, "is required")
            return nil
        }
        guard case .array(let elements) = node else {
            fail(path, "must be an array, not \(node.typeName)")
            return nil
        }
        guard range.contains(elements.count) else {
            fail(path, "must have \(range.lowerBound) to \(range.upperBound) elements, not \(elements.count)")
            return nil
        }
        return elements
    }

    /// A string following `rule` (nil, with a problem, when missing, of another type, or breaking the rule).
    func string(_ node: JSONValue?, at path: String, rule: TextRule, required: Bool = true) -> String? {
        guard let node, node != .null else {
            if required { fail(path, "is required") }
            return nil
        }
        guard case .string(let text) = node else {
            fail(path, "must be a string, not \(node.typeName)")
            return nil
        }
        let length = text.unicodeScalars.count
        switch rule {
        case .text(let maxLength):
            guard length <= maxLength else { return failed(path, "must be at most \(maxLength) characters") }
            guard !text.unicodeScalars.contains(where: Self.isControl) else {
                return failed(path, "must not contain control characters")
            }
            guard !text.allSatisfy(\.isWhitespace) else { return failed(path, "must not be empty") }
        case .identifier(let maxLength):
            guard length <= maxLength else { return failed(path, "must be at most \(maxLength) characters") }
            guard Self.isIdentifier(text) else {
                return failed(path, "must be letters, digits, '.', '_', ':' or '-', starting with a letter or digit")
            }
        case .custom(let expectation, let maxLength, let predicate):
            guard length <= maxLength, predicate(text) else { return failed(path, "must be \(expectation)") }
        }
        return text
    }

    /// A whole number within `range`, written as a plain integer literal (not `2.0`, `1e3` or `-0`, which the
    /// parser reads as `.double`).
    func integer(_ node: JSONValue?, at path: String, range: ClosedRange<Int64>, required: Bool = true) -> Int64? {
        guard let node, node != .null else {
            if required { fail(path, "is required") }
            return nil
        }
        let integer: Int64?
        switch node {
        case .int(let value): integer = value
        case .double: integer = nil
        default:
            fail(path, "must be an integer, not \(node.typeName)")
            return nil
        }
        guard let value = integer, range.contains(value) else {
            fail(path, "must be an integer from \(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        return value
    }

    /// The optional `reason` member of `fields`: why a person acted, at most 256 characters, for the history.
    func reason(in fields: ObjectFields?) -> String? {
        string(fields?["reason"], at: "reason", rule: .text(maxLength: 256), required: false)
    }

    private func failed(_ path: String, _ message: String) -> String? {
        fail(path, message)
        return nil
    }

    /// `parent.key`, or `key` at the top level.
    static func join(_ parent: String, _ key: String) -> String { parent.isEmpty ? key : "\(parent).\(key)" }

    /// Control characters (C0, DEL and C1).
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    /// Letters, digits, `.`, `_`, `:`, `-`, starting with a letter or digit (ASCII only).
    static func isIdentifier(_ text: String) -> Bool {
        guard let first = text.utf8.first, isAlphanumeric(first) else { return false }
        return text.utf8.allSatisfy {
            isAlphanumeric($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ":")
                || $0 == UInt8(ascii: "-")
        }
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}

/// An object's members by name.
struct ObjectFields {
    let members: [String: JSONValue]

    /// The member `key`, or nil.
    subscript(key: String) -> JSONValue? { members[key] }
}

/// A JSON-shaped value read from a decoder other than `BSONDecoder`, turned back into JSON text so that libbson's
/// Extended JSON parser (`bson_new_from_json`) recognises wrappers such as `{"$oid": ...}`.
///
/// Why it is not `JSONValue` (target `JSONValues`), the project's one JSON value type: this value needs what
/// `JSONValue` leaves out on purpose: members in the order the other decoder lists them, since the `Document` made
/// from them is ordered, where a `JSONValue` object is a dictionary (hashed lookups, order-free equality). It is
/// internal and decode-only, seen only by the `Codable` conformances of `Document` and `BSONValue`.
indirect enum JSONShapedValue: Decodable {
    case null
    case bool(Bool)
    case integer(Int64)
    case double(Double)
    case string(String)
    case array([JSONShapedValue])
    case object([(String, JSONShapedValue)])

    /// Tries, in order: null, a boolean, an integer, a number, a string, an object, an array.
    init(from decoder: any Decoder) throws {
        if let container = try? decoder.singleValueContainer() {
            if container.decodeNil() {
                self = .null
                return
            }
            if let value = try? container.decode(Bool.self) {
                self = .bool(value)
                return
            }
            if let value = try? container.decode(Int64.self) {
                self = .integer(value)
                return
            }
            if let value = try? container.decode(Double.self) {
                self = .double(value)
                return
            }
            if let value = try? container.decode(String.self) {
                self = .string(value)
                return
            }
        }
        if let container = try? decoder.container(keyedBy: BSONCodingKey.self) {
            self = .object(
                try container.allKeys.map { ($0.stringValue, try container.decode(JSONShapedValue.self, forKey: $0)) })
            return
        }
        if var container = try? decoder.unkeyedContainer() {
            var elements: [JSONShapedValue] = []
            while !container.isAtEnd {
                elements.append(try container.decode(JSONShapedValue.self))
            }
            self = .array(elements)
            return
        }
        throw DecodingError.dataCorrupted(
            DecodingError.Context(codingPath: decoder.codingPath, debugDescription: "not a JSON-shaped value"))
    }

    /// The value as JSON text (non-finite doubles as `{"$numberDouble": ...}`).
    var jsonText: String {
        switch self {
        case .null: "null"
        case .bool(let value): value ? "true" : "false"
        case .integer(let value): String(value)
        case .double(let value) where value.isFinite: "\(value)"
        case .double(let value):
            "{\"$numberDouble\":\"\(value.isNaN ? "NaN" : value > 0 ? "Infinity" : "-Infinity")\"}"
        case .string(let value): Self.quoted(value)
        case .array(let elements): "[" + elements.map(\.jsonText).joined(separator: ",") + "]"
        case .object(let fields):
            "{" + fields.map { Self.quoted($0.0) + ":" + $0.1.jsonText }.joined(separator: ",") + "}"
        }
    }

    /// A JSON string literal.
    private static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}

import Mongo
import SagaKit

/// A saga's payloads (input, event data, signal payloads) as BSON and back.
///
/// The stored types hand payloads to the BSON coders as one `BSONValue` each rather than through `JSONValue`'s
/// `Codable` conformance: that conformance cannot tell a stored double `2.0` from an integer `2` when decoding (it
/// tries each JSON type in turn, and an integral double decodes as an integer), and encoding through it, a coder
/// call per value, measured three times slower than this conversion for the events the engine appends.
extension JSONValue {
    /// This value as BSON: objects become documents (keys sorted, so equal values store equal bytes), integers
    /// int64, fractions double; the same BSON its `Codable` conformance gives with `BSONEncoder`.
    var bsonValue: BSONValue {
        switch self {
        case .null: return .null
        case .bool(let value): return .bool(value)
        case .int(let value): return .int64(value)
        case .double(let value): return .double(value)
        case .string(let value): return .string(value)
        case .array(let values): return .array(values.map(\.bsonValue))
        case .object(let members):
            return .document(Document(members.sorted { $0.key < $1.key }.map { ($0.key, $0.value.bsonValue) }))
        }
    }

    /// A stored BSON value read back as JSON; types the engine never writes map to their closest JSON form.
    init(bson: BSONValue) {
        switch bson {
        case .null, .undefined, .minKey, .maxKey: self = .null
        case .bool(let value): self = .bool(value)
        case .int32(let value): self = .int(Int64(value))
        case .int64(let value): self = .int(value)
        case .double(let value): self = .double(value)
        case .string(let value): self = .string(value)
        case .decimal128(let value): self = .string(value.description)
        case .objectId(let value): self = .string(value.hex)
        case .datetime(let value): self = .string(value.formatted(.iso8601))
        case .array(let values): self = .array(values.map(JSONValue.init(bson:)))
        case .document(let document):
            var members: [String: JSONValue] = [:]
            for (key, value) in document { members[key] = JSONValue(bson: value) }
            self = .object(members)
        case .binary(let binary): self = .string(binary.data.base64EncodedString())
        case .timestamp(let timestamp): self = .int(Int64(timestamp.timestamp) << 32 | Int64(timestamp.increment))
        case .regex(let pattern, _): self = .string(pattern)
        }
    }
}

extension KeyedDecodingContainer {
    /// The JSON payload stored under `key` (a stored `null` is `.null`), or `nil` when the key is absent.
    func decodePayloadIfPresent(forKey key: Key) throws -> JSONValue? {
        guard contains(key) else { return nil }
        return JSONValue(bson: try decode(BSONValue.self, forKey: key))
    }
}

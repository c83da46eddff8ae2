import Mongo
import SagaKit

extension JSONValue {
    /// A stored BSON value read back as JSON; types the engine never writes map to their closest JSON form.
    ///
    /// Payloads are written through `JSONValue`'s `Codable` conformance (objects with their keys sorted, integers
    /// as int64, fractions as double) but read back from the BSON value itself: the conformance cannot tell a
    /// stored double `2.0` from an integer `2`, and it would try every JSON type in turn on each value.
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

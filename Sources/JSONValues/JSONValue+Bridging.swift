import Foundation

extension JSONValue {
    /// Encodes any `Encodable` value to a `JSONValue`.
    ///
    /// Dates become ISO-8601 strings with millisecond precision (see ``JSONDate``); integers stay exact.
    public init(encoding value: some Encodable) throws {
        self = try JSONValueEncoder().encode(value)
    }

    /// Decodes a `Decodable` value from this JSON value (dates as written by ``init(encoding:)``).
    public func decode<Value: Decodable>(as type: Value.Type = Value.self) throws -> Value {
        try JSONValueDecoder().decode(Value.self, from: self)
    }

    /// The compact JSON text of this value, keys sorted (stable across runs).
    public func jsonText() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self) else { return "null" }
        return String(decoding: data, as: UTF8.self)
    }
}

import CMongoc

/// The `Decoder` `BSONDecoder` hands to `init(from:)`: one element of a `BSONDecodingBuffer`.
final class BSONElementDecoder: Decoder {
    /// Keeps the bytes every element and container of this decode points into alive.
    let buffer: BSONDecodingBuffer
    /// The value being decoded.
    let element: BSONElement
    let codingPath: [any CodingKey]
    let userInfo: [CodingUserInfoKey: Any]

    init(
        buffer: BSONDecodingBuffer, element: BSONElement, codingPath: [any CodingKey],
        userInfo: [CodingUserInfoKey: Any]
    ) {
        self.buffer = buffer
        self.element = element
        self.codingPath = codingPath
        self.userInfo = userInfo
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard element.type == BSON_TYPE_DOCUMENT else {
            throw element.mismatch(expected: "document", at: codingPath)
        }
        let container = BSONKeyedDecodingContainer<Key>(
            decoder: self, index: BSONKeyedIndex(document: element.embeddedBytes), codingPath: codingPath)
        return KeyedDecodingContainer(container)
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard element.type == BSON_TYPE_ARRAY else {
            throw element.mismatch(expected: "array", at: codingPath)
        }
        return BSONUnkeyedDecodingContainer(decoder: self, array: element.embeddedBytes, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        BSONSingleValueDecodingContainer(decoder: self)
    }

    /// Decodes `element` (a child of this decoder's value, or the value itself) as `T` at `codingPath` (built only
    /// for a type read through its own `init(from:)`, or to report an error).
    func decode<T: Decodable>(
        _: T.Type, element: BSONElement, codingPath: @autoclosure () -> [any CodingKey]
    ) throws -> T {
        if let native = T.self as? any BSONNativeDecodable.Type {
            return try native.init(bsonElement: element, codingPath: codingPath()) as! T
        }
        let decoder = BSONElementDecoder(
            buffer: buffer, element: element, codingPath: codingPath(), userInfo: userInfo)
        return try T(from: decoder)
    }

    /// Decodes this decoder's own value as `T`.
    func decodeOwnValue<T: Decodable>(_: T.Type) throws -> T {
        if let native = T.self as? any BSONNativeDecodable.Type {
            return try native.init(bsonElement: element, codingPath: codingPath) as! T
        }
        return try T(from: self)
    }
}

/// Reads the fields of a document through its `BSONKeyedIndex`.
struct BSONKeyedDecodingContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: BSONElementDecoder
    let index: BSONKeyedIndex
    let codingPath: [any CodingKey]

    var allKeys: [Key] {
        index.keys.compactMap { Key(stringValue: $0) }
    }

    func contains(_ key: Key) -> Bool {
        index[key.stringValue] != nil
    }

    private func element(_ key: Key) throws -> BSONElement {
        guard let element = index[key.stringValue] else {
            throw BSONError.keyNotFound(path: BSONError.dottedPath(codingPath + [key]))
        }
        return element
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        try element(key).isNull
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool {
        try element(key).decodeBool(at: codingPath + [key])
    }

    func decode(_ type: String.Type, forKey key: Key) throws -> String {
        try element(key).decodeString(at: codingPath + [key])
    }

    func decode(_ type: Double.Type, forKey key: Key) throws -> Double {
        try element(key).decodeDouble(at: codingPath + [key])
    }

    func decode(_ type: Float.Type, forKey key: Key) throws -> Float {
        try element(key).decodeFloat(at: codingPath + [key])
    }

    func decode(_ type: Int.Type, forKey key: Key) throws -> Int {
        try element(key).decodeInteger(type, at: codingPath + [key])
    }

    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 {
        try element(key).decodeInteger(type, at: codingPath + [key])
    }

    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 {
        try element(key).decodeInteger(type, at: codingPath + [key])
    }

    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 {
        try element(key).decodeInteger(type, at: codingPath + [key])
    }

    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 {
        try element(key).decodeInteger(type, at: codingPath + [key])
    }

    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt {
        try element(key).decodeInteger(type, at: codingPath + [key])
    }

    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 {
        try element(key).decodeInteger(type, at: codingPath + [key])
    }

    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 {
        try element(key).decodeInteger(type, at: codingPath + [key])
    }

    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 {
        try element(key).decodeInteger(type, at: codingPath + [key])
    }

    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 {
        try element(key).decodeInteger(type, at: codingPath + [key])
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try decoder.decode(type, element: element(key), codingPath: codingPath + [key])
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try childDecoder(element(key), key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try childDecoder(element(key), key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        guard let element = index[BSONCodingKey.super.stringValue] else {
            throw BSONError.keyNotFound(path: BSONError.dottedPath(codingPath + [BSONCodingKey.super]))
        }
        return childDecoder(element, BSONCodingKey.super)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        try childDecoder(element(key), key)
    }

    private func childDecoder(_ element: BSONElement, _ key: any CodingKey) -> BSONElementDecoder {
        BSONElementDecoder(
            buffer: decoder.buffer, element: element, codingPath: codingPath + [key], userInfo: decoder.userInfo)
    }
}

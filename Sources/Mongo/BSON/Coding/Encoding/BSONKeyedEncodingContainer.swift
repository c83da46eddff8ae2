/// Records a document's fields.
struct BSONKeyedEncodingContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: BSONTreeEncoder
    let storage: KeyedEncodingStorage
    let codingPath: [any CodingKey]

    private func set(_ value: BSONValue, _ key: Key) {
        storage.set(.value(value), forKey: key.stringValue)
    }

    private func setInteger<I: FixedWidthInteger>(_ value: I, _ key: Key) throws {
        set(try BSONTreeEncoder.integer(value, at: codingPath + [key]), key)
    }

    mutating func encodeNil(forKey key: Key) throws { set(.null, key) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { set(.bool(value), key) }
    mutating func encode(_ value: String, forKey key: Key) throws { set(.string(value), key) }
    mutating func encode(_ value: Double, forKey key: Key) throws { set(.double(value), key) }
    mutating func encode(_ value: Float, forKey key: Key) throws { set(.double(Double(value)), key) }
    mutating func encode(_ value: Int, forKey key: Key) throws { try setInteger(value, key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { try setInteger(value, key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { try setInteger(value, key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { try setInteger(value, key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { try setInteger(value, key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { try setInteger(value, key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { try setInteger(value, key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { try setInteger(value, key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { try setInteger(value, key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { try setInteger(value, key) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        storage.set(try encoder.encodeChild(value, at: codingPath + [key]), forKey: key.stringValue)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        childEncoder(key).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        childEncoder(key).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        childEncoder(BSONCodingKey.super)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        childEncoder(key)
    }

    private func childEncoder(_ key: any CodingKey) -> BSONTreeEncoder {
        let child = encoder.childEncoder(at: codingPath + [key])
        storage.set(.node(child.node), forKey: key.stringValue)
        return child
    }
}

/// Records an array's elements.
struct BSONUnkeyedEncodingContainer: UnkeyedEncodingContainer {
    let encoder: BSONTreeEncoder
    let storage: UnkeyedEncodingStorage
    let codingPath: [any CodingKey]

    var count: Int {
        storage.count
    }

    private var nextPath: [any CodingKey] {
        codingPath + [BSONCodingKey(index: storage.count)]
    }

    private func append(_ value: BSONValue) {
        storage.append(.value(value))
    }

    private func appendInteger<I: FixedWidthInteger>(_ value: I) throws {
        append(try BSONTreeEncoder.integer(value, at: nextPath))
    }

    mutating func encodeNil() throws { append(.null) }
    mutating func encode(_ value: Bool) throws { append(.bool(value)) }
    mutating func encode(_ value: String) throws { append(.string(value)) }
    mutating func encode(_ value: Double) throws { append(.double(value)) }
    mutating func encode(_ value: Float) throws { append(.double(Double(value))) }
    mutating func encode(_ value: Int) throws { try appendInteger(value) }
    mutating func encode(_ value: Int8) throws { try appendInteger(value) }
    mutating func encode(_ value: Int16) throws { try appendInteger(value) }
    mutating func encode(_ value: Int32) throws { try appendInteger(value) }
    mutating func encode(_ value: Int64) throws { try appendInteger(value) }
    mutating func encode(_ value: UInt) throws { try appendInteger(value) }
    mutating func encode(_ value: UInt8) throws { try appendInteger(value) }
    mutating func encode(_ value: UInt16) throws { try appendInteger(value) }
    mutating func encode(_ value: UInt32) throws { try appendInteger(value) }
    mutating func encode(_ value: UInt64) throws { try appendInteger(value) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        storage.append(try encoder.encodeChild(value, at: nextPath))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type
    ) -> KeyedEncodingContainer<NestedKey> {
        childEncoder().container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        childEncoder().unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        childEncoder()
    }

    private func childEncoder() -> BSONTreeEncoder {
        let child = encoder.childEncoder(at: nextPath)
        storage.append(.node(child.node))
        return child
    }
}

/// Records the encoder's own value.
struct BSONSingleValueEncodingContainer: SingleValueEncodingContainer {
    let encoder: BSONTreeEncoder

    var codingPath: [any CodingKey] {
        encoder.codingPath
    }

    private func set(_ value: BSONValue) {
        encoder.node.content = .value(value)
    }

    private func setInteger<I: FixedWidthInteger>(_ value: I) throws {
        set(try BSONTreeEncoder.integer(value, at: codingPath))
    }

    mutating func encodeNil() throws { set(.null) }
    mutating func encode(_ value: Bool) throws { set(.bool(value)) }
    mutating func encode(_ value: String) throws { set(.string(value)) }
    mutating func encode(_ value: Double) throws { set(.double(value)) }
    mutating func encode(_ value: Float) throws { set(.double(Double(value))) }
    mutating func encode(_ value: Int) throws { try setInteger(value) }
    mutating func encode(_ value: Int8) throws { try setInteger(value) }
    mutating func encode(_ value: Int16) throws { try setInteger(value) }
    mutating func encode(_ value: Int32) throws { try setInteger(value) }
    mutating func encode(_ value: Int64) throws { try setInteger(value) }
    mutating func encode(_ value: UInt) throws { try setInteger(value) }
    mutating func encode(_ value: UInt8) throws { try setInteger(value) }
    mutating func encode(_ value: UInt16) throws { try setInteger(value) }
    mutating func encode(_ value: UInt32) throws { try setInteger(value) }
    mutating func encode(_ value: UInt64) throws { try setInteger(value) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        if let native = value as? any BSONNativeEncodable {
            set(try native.bsonValue(at: codingPath))
        } else {
            try value.encode(to: encoder)
        }
    }
}

/// The `Encoder` `BSONEncoder` hands to `encode(to:)`: it records the value into an `EncodingNode`.
final class BSONTreeEncoder: Encoder {
    /// Where this encoder's value goes.
    let node: EncodingNode
    let codingPath: [any CodingKey]
    let userInfo: [CodingUserInfoKey: Any]

    init(node: EncodingNode, codingPath: [any CodingKey], userInfo: [CodingUserInfoKey: Any]) {
        self.node = node
        self.codingPath = codingPath
        self.userInfo = userInfo
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(
            BSONKeyedEncodingContainer<Key>(encoder: self, storage: node.keyedStorage, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        BSONUnkeyedEncodingContainer(encoder: self, storage: node.unkeyedStorage, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        BSONSingleValueEncodingContainer(encoder: self)
    }

    /// Encodes `value` as a child at `codingPath`: natively when BSON has a type for it, otherwise through its
    /// `encode(to:)` into a new node (`codingPath` is built only then, or to report an error).
    func encodeChild<T: Encodable>(
        _ value: T, at codingPath: @autoclosure () -> [any CodingKey]
    ) throws -> EncodedChild {
        if let native = value as? any BSONNativeEncodable {
            return .value(try native.bsonValue(at: codingPath()))
        }
        let child = EncodingNode()
        try value.encode(to: BSONTreeEncoder(node: child, codingPath: codingPath(), userInfo: userInfo))
        return child.asChild
    }

    /// A new encoder whose value is a new child node, for nested containers and `superEncoder`.
    func childEncoder(at codingPath: [any CodingKey]) -> BSONTreeEncoder {
        BSONTreeEncoder(node: EncodingNode(), codingPath: codingPath, userInfo: userInfo)
    }

    /// The BSON integer of a Swift integer, or `encodingFailed` when an unsigned value exceeds `Int64.max`.
    static func integer<I: FixedWidthInteger>(
        _ value: I, at codingPath: @autoclosure () -> [any CodingKey]
    ) throws -> BSONValue {
        guard let integer = BSONValue.integer(value) else {
            throw BSONError.encodingFailed(
                path: BSONError.dottedPath(codingPath()), reason: "\(I.self) \(value) does not fit in a BSON int64")
        }
        return integer
    }
}

extension BSONValue {
    /// The BSON integer for a Swift integer: `int32` for `Int32` and narrower types (and a `UInt32` value that
    /// fits), `int64` for `Int`, `Int64` and the rest; `nil` for an unsigned value above `Int64.max`.
    static func integer<I: FixedWidthInteger>(_ value: I) -> BSONValue? {
        if I.bitWidth < 32 || I.self == Int32.self {
            return .int32(Int32(truncatingIfNeeded: value))
        }
        if I.self == UInt32.self, let small = Int32(exactly: value) {
            return .int32(small)
        }
        return Int64(exactly: value).map(BSONValue.int64)
    }
}

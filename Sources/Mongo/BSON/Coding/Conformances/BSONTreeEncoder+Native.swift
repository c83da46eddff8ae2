/// Pass-through for the BSON types' own `encode(to:)` and `init(from:)`, when they are called with the BSON coders
/// directly rather than through a container.
extension BSONTreeEncoder {
    /// Records `value` as this encoder's value.
    func encodeNative(_ value: some BSONNativeEncodable) throws {
        node.content = .value(try value.bsonValue(at: codingPath))
    }
}

/// With the BSON coders a `Decimal128` is a BSON decimal128; with any other coder it is its exact string ("12.50").
extension Decimal128: Codable {
    /// Decodes a BSON decimal128 (or int32/int64), or the decimal string from any other decoder.
    public init(from decoder: any Decoder) throws {
        if let bson = decoder as? BSONElementDecoder {
            self = try bson.decodeOwnValue(Decimal128.self)
            return
        }
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = Decimal128(text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "\(String(reflecting: text)) is not a decimal128 number")
        }
        self = value
    }

    /// Encodes a BSON decimal128, or the decimal string for any other encoder.
    public func encode(to encoder: any Encoder) throws {
        if let bson = encoder as? BSONTreeEncoder {
            try bson.encodeNative(self)
            return
        }
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// With the BSON coders a `BSONTimestamp` is a BSON timestamp; with any other coder it is
/// `{"timestamp": t, "increment": i}`.
extension BSONTimestamp: Codable {
    private enum CodingKeys: String, CodingKey {
        case timestamp
        case increment
    }

    /// Decodes a BSON timestamp, or the keyed form from any other decoder.
    public init(from decoder: any Decoder) throws {
        if let bson = decoder as? BSONElementDecoder {
            self = try bson.decodeOwnValue(BSONTimestamp.self)
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            timestamp: try container.decode(UInt32.self, forKey: .timestamp),
            increment: try container.decode(UInt32.self, forKey: .increment))
    }

    /// Encodes a BSON timestamp, or the keyed form for any other encoder.
    public func encode(to encoder: any Encoder) throws {
        if let bson = encoder as? BSONTreeEncoder {
            try bson.encodeNative(self)
            return
        }
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(timestamp, forKey: .timestamp)
        try container.encode(increment, forKey: .increment)
    }
}

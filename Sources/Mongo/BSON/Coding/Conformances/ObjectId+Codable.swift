/// With the BSON coders an `ObjectId` is a BSON objectId; with any other coder it is its 24-digit hex string.
extension ObjectId: Codable {
    /// Decodes a BSON objectId, or the hex string from any other decoder.
    public init(from decoder: any Decoder) throws {
        if let bson = decoder as? BSONElementDecoder {
            self = try bson.decodeOwnValue(ObjectId.self)
            return
        }
        let container = try decoder.singleValueContainer()
        let hex = try container.decode(String.self)
        guard let id = ObjectId(hex) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "\(String(reflecting: hex)) is not a 24-digit hex ObjectId")
        }
        self = id
    }

    /// Encodes a BSON objectId, or the hex string for any other encoder.
    public func encode(to encoder: any Encoder) throws {
        if let bson = encoder as? BSONTreeEncoder {
            try bson.encodeNative(self)
            return
        }
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }
}

import Foundation

/// With the BSON coders a `BSONBinary` is BSON binary; with any other coder it is `{"subtype": n, "data": ...}`
/// (the data as that coder writes `Data`, e.g. base64 for `JSONEncoder`).
extension BSONBinary: Codable {
    private enum CodingKeys: String, CodingKey {
        case subtype
        case data
    }

    /// Decodes BSON binary, or the keyed form from any other decoder.
    public init(from decoder: any Decoder) throws {
        if let bson = decoder as? BSONElementDecoder {
            self = try bson.decodeOwnValue(BSONBinary.self)
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            subtype: Subtype(rawValue: try container.decode(UInt8.self, forKey: .subtype)),
            data: try container.decode(Data.self, forKey: .data))
    }

    /// Encodes BSON binary, or the keyed form for any other encoder.
    public func encode(to encoder: any Encoder) throws {
        if let bson = encoder as? BSONTreeEncoder {
            try bson.encodeNative(self)
            return
        }
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(subtype.rawValue, forKey: .subtype)
        try container.encode(data, forKey: .data)
    }
}

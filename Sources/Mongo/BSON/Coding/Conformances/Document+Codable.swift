/// With the BSON coders a `Document` passes through as itself.
///
/// With any other coder it is relaxed Extended JSON in that coder's shape: `JSONEncoder` writes
/// `{"_id": {"$oid": "..."}, "n": 1, "at": {"$date": "2026-11-21T10:15:30.123Z"}}`, and decoding reads such
/// JSON back (relaxed or canonical, through `bson_new_from_json`). Plain JSON numbers cannot say whether they were
/// int32, int64 or double: they come back as int32 when they fit, else int64, else double. Key order after a round
/// trip is the order the other decoder lists keys in.
extension Document: Codable {
    /// Decodes an embedded document, or Extended JSON from any other decoder.
    public init(from decoder: any Decoder) throws {
        if let bson = decoder as? BSONElementDecoder {
            self = try bson.decodeOwnValue(Document.self)
            return
        }
        let shaped = try JSONShapedValue(from: decoder)
        guard case .object = shaped else {
            throw DecodingError.typeMismatch(
                Document.self,
                DecodingError.Context(codingPath: decoder.codingPath, debugDescription: "expected a JSON object"))
        }
        self = try Document(extendedJSON: shaped.jsonText)
    }

    /// Encodes an embedded document, or relaxed Extended JSON for any other encoder.
    public func encode(to encoder: any Encoder) throws {
        if let bson = encoder as? BSONTreeEncoder {
            try bson.encodeNative(self)
            return
        }
        var container = encoder.container(keyedBy: BSONCodingKey.self)
        for (key, value) in self {
            try container.encode(value, forKey: BSONCodingKey(stringValue: key))
        }
    }
}

/// With the BSON coders a `BSONValue` passes through as itself.
///
/// With any other coder it is relaxed Extended JSON in that coder's shape (see `Document`'s `Codable` notes):
/// strings, booleans, finite doubles, int32 and int64 as plain values, `null` as nil, and wrappers such as
/// `{"$oid": ...}`, `{"$numberDecimal": "12.50"}`, `{"$date": ...}` for the rest.
extension BSONValue: Codable {
    /// Decodes any BSON value, or Extended JSON from any other decoder.
    public init(from decoder: any Decoder) throws {
        if let bson = decoder as? BSONElementDecoder {
            self = try bson.decodeOwnValue(BSONValue.self)
            return
        }
        let shaped = try JSONShapedValue(from: decoder)
        let wrapper = try Document(extendedJSON: "{\"v\":\(shaped.jsonText)}")
        self = wrapper["v"] ?? .null
    }

    /// Encodes the value itself, or relaxed Extended JSON for any other encoder.
    public func encode(to encoder: any Encoder) throws {
        if let bson = encoder as? BSONTreeEncoder {
            try bson.encodeNative(self)
            return
        }
        try encodeExtendedJSON(to: encoder)
    }
}

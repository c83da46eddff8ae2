import CMongoc

/// MongoDB Extended JSON v2 (https://www.mongodb.com/docs/manual/reference/mongodb-extended-json/), via libbson.
extension Document: CustomStringConvertible {
    /// Relaxed Extended JSON, for people: plain JSON numbers where they are exact, ISO-8601 dates
    /// (`{"$date": "2026-11-21T10:15:30.123Z"}`), wrappers such as `{"$oid": ...}` for the rest.
    public var relaxedExtendedJSON: String {
        withUnsafeBSONPointer { document in
            var length = 0
            return LibBSON.consumeString(bson_as_relaxed_extended_json(document, &length), length: length)
        } ?? "<BSON document of \(storage.count) bytes that libbson cannot print>"
    }

    /// Canonical Extended JSON, which keeps every type exactly (`{"$numberInt": "1"}`, `{"$numberLong": "1"}`, ...).
    public var canonicalExtendedJSON: String {
        withUnsafeBSONPointer { document in
            var length = 0
            return LibBSON.consumeString(bson_as_canonical_extended_json(document, &length), length: length)
        } ?? "<BSON document of \(storage.count) bytes that libbson cannot print>"
    }

    /// Parses a JSON object in relaxed or canonical Extended JSON (`bson_new_from_json`), keeping key order.
    /// Plain JSON integers become `int32` when they fit, else `int64`; other plain numbers become `double`.
    ///
    /// - Throws: `BSONError.invalidBSON` with libbson's message when the text is not a valid document.
    public init(extendedJSON: String) throws {
        var json = extendedJSON
        var error = bson_error_t()
        let parsed: OpaquePointer? = json.withUTF8 { utf8 in
            guard let base = utf8.baseAddress, !utf8.isEmpty else { return nil }
            return bson_new_from_json(base, utf8.count, &error)
        }
        guard let parsed else {
            let reason = extendedJSON.isEmpty ? "empty Extended JSON text" : LibBSON.message(of: error)
            throw BSONError.invalidBSON(reason)
        }
        defer { bson_destroy(parsed) }
        let bytes = Array(LibBSON.bytes(of: parsed))
        try Self.validate(bytes)
        self.init(validBytes: bytes)
    }

    /// The relaxed Extended JSON.
    public var description: String {
        relaxedExtendedJSON
    }
}

import CMongoc

/// Checking untrusted bytes before they become a `Document`.
extension Document {
    /// Throws `BSONError.invalidBSON` unless `bytes` are one valid BSON document.
    static func validate(_ bytes: [UInt8]) throws {
        guard bytes.count >= 5 else {
            throw BSONError.invalidBSON("a document needs at least 5 bytes, got \(bytes.count)")
        }
        let declared = bytes.withUnsafeBytes { Int(Int32(littleEndian: $0.loadUnaligned(as: Int32.self))) }
        guard declared == bytes.count else {
            throw BSONError.invalidBSON("the length header says \(declared) bytes but there are \(bytes.count)")
        }
        guard bytes.last == 0 else {
            throw BSONError.invalidBSON("the document does not end with a zero byte")
        }
        try bytes.withUnsafeBufferPointer { buffer in
            try LibBSON.withScratchDocument { document in
                guard bson_init_static(document, buffer.baseAddress!, buffer.count) else {
                    throw BSONError.invalidBSON("libbson rejected the document header")
                }
                var error = bson_error_t()
                let flags = bson_validate_flags_t(
                    rawValue: BSON_VALIDATE_UTF8.rawValue | BSON_VALIDATE_UTF8_ALLOW_NULL.rawValue)
                guard bson_validate_with_error(document, flags, &error) else {
                    throw BSONError.invalidBSON(LibBSON.message(of: error))
                }
                if let path = firstInvalidString(in: buffer) {
                    throw BSONError.invalidBSON("invalid UTF-8 in the string at \(String(reflecting: path))")
                }
            }
        }
    }

    /// The dotted path of the first string, symbol or code value that is not UTF-8 (NUL bytes allowed), searching
    /// embedded documents and arrays; `nil` when all are valid.
    ///
    /// libbson 1.23's `bson_validate` checks keys but not these values for `BSON_VALIDATE_UTF8` (fixed upstream
    /// in CDRIVER-6017), so the values are checked here with `bson_utf8_validate`.
    private static func firstInvalidString(in bytes: UnsafeBufferPointer<UInt8>) -> String? {
        LibBSON.withScratchIterator { iterator in
            guard bson_iter_init_from_data(iterator, bytes.baseAddress, bytes.count) else { return "" }
            return firstInvalidString(after: iterator, path: "")
        }
    }

    private static func firstInvalidString(after iterator: OpaquePointer, path: String) -> String? {
        while bson_iter_next(iterator) {
            let key = LibBSON.key(iterator)
            let elementPath = path.isEmpty ? key : path + "." + key
            var length: UInt32 = 0
            switch bson_iter_type(iterator) {
            case BSON_TYPE_UTF8, BSON_TYPE_SYMBOL, BSON_TYPE_CODE:
                let text: UnsafePointer<CChar>? =
                    switch bson_iter_type(iterator) {
                    case BSON_TYPE_UTF8: bson_iter_utf8(iterator, &length)
                    case BSON_TYPE_SYMBOL: bson_iter_symbol(iterator, &length)
                    default: bson_iter_code(iterator, &length)
                    }
                guard let text, bson_utf8_validate(text, Int(length), true) else { return elementPath }
            case BSON_TYPE_DOCUMENT, BSON_TYPE_ARRAY:
                let invalid: String? = LibBSON.withScratchIterator { child in
                    guard bson_iter_recurse(iterator, child) else { return elementPath }
                    return firstInvalidString(after: child, path: elementPath)
                }
                if let invalid { return invalid }
            default:
                continue
            }
        }
        return nil
    }
}

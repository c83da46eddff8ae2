import CMongoc

/// Small helpers for calling libbson safely from Swift.
///
/// libbson declares `bson_t` and `bson_iter_t` with 128-byte alignment. Swift cannot represent that, so it imports
/// every `bson_t *` and `bson_iter_t *` parameter (of libbson and libmongoc alike) as `OpaquePointer`, and a Swift
/// variable of either type would be under-aligned. An initialised `bson_t` also holds pointers into itself, so it
/// must never move. Every `bson_t` and `bson_iter_t` in this module therefore lives in the aligned, immovable
/// scratch storage these helpers hand out for the duration of a closure, never in a Swift variable.
enum LibBSON {
    /// The alignment libbson declares for `bson_t` and `bson_iter_t` (`BSON_ALIGNED_BEGIN (128)`).
    static let structAlignment = 128

    /// Runs `body` with an uninitialised `bson_t` in aligned, immovable storage; `body` initialises and destroys it
    /// (for example with `bson_init_static`, or as the `reply` out-parameter of a libmongoc call).
    static func withScratchDocument<R>(_ body: (OpaquePointer) throws -> R) rethrows -> R {
        let size = MemoryLayout<bson_t>.size
        return try withUnsafeTemporaryAllocation(byteCount: size, alignment: structAlignment) { raw in
            try body(OpaquePointer(raw.baseAddress!))
        }
    }

    /// Runs `body` with an empty, initialised `bson_t` that is destroyed when `body` returns.
    static func withNewDocument<R>(_ body: (OpaquePointer) throws -> R) rethrows -> R {
        try withScratchDocument { document in
            bson_init(document)
            defer { bson_destroy(document) }
            return try body(document)
        }
    }

    /// Runs `body` with an uninitialised `bson_iter_t` in aligned storage; `body` initialises it.
    static func withScratchIterator<R>(_ body: (OpaquePointer) throws -> R) rethrows -> R {
        let size = MemoryLayout<bson_iter_t>.size
        return try withUnsafeTemporaryAllocation(byteCount: size, alignment: structAlignment) { raw in
            try body(OpaquePointer(raw.baseAddress!))
        }
    }

    /// The bytes of a document built in a `bson_t` (header and terminator included).
    static func bytes(of document: OpaquePointer) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: bson_get_data(document), count: Int(length(of: document)))
    }

    /// The byte length of a document built in a `bson_t` (its `len` field).
    static func length(of document: OpaquePointer) -> UInt32 {
        UnsafeRawPointer(document).load(fromByteOffset: MemoryLayout<bson_t>.offset(of: \.len)!, as: UInt32.self)
    }

    /// The offset of the element after the iterator's current one (its `next_off` field).
    static func nextOffset(of iterator: OpaquePointer) -> UInt32 {
        UnsafeRawPointer(iterator).load(
            fromByteOffset: MemoryLayout<bson_iter_t>.offset(of: \.next_off)!, as: UInt32.self)
    }

    /// Decodes `length` bytes of UTF-8 at `pointer` (which may contain NUL bytes).
    static func string(_ pointer: UnsafePointer<CChar>, length: Int) -> String {
        String(decoding: UnsafeRawBufferPointer(start: pointer, count: length), as: UTF8.self)
    }

    /// The key of the iterator's current element.
    static func key(_ iterator: OpaquePointer) -> String {
        string(bson_iter_key(iterator), length: Int(bson_iter_key_len(iterator)))
    }

    /// Takes ownership of a NUL-terminated string allocated by libbson, returning it and releasing it with `bson_free`.
    static func consumeString(_ pointer: UnsafeMutablePointer<CChar>?, length: Int) -> String? {
        guard let pointer else { return nil }
        defer { bson_free(pointer) }
        return string(pointer, length: length)
    }

    /// The message of a libbson error.
    static func message(of error: bson_error_t) -> String {
        withUnsafeBytes(of: error.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    /// Runs `body` with the C string of an array index key ("0", "1", ...) and its length, without allocating.
    static func withIndexKey<R>(_ index: Int, _ body: (UnsafePointer<CChar>, Int32) throws -> R) rethrows -> R {
        try withUnsafeTemporaryAllocation(of: CChar.self, capacity: 16) { buffer in
            var key: UnsafePointer<CChar>?
            let length = bson_uint32_to_string(UInt32(index), &key, buffer.baseAddress, 16)
            return try body(key!, Int32(length))
        }
    }

    /// The type-name used in `BSONValue.typeName` and in error messages for a raw libbson element type.
    static func typeName(_ type: bson_type_t) -> String {
        switch type {
        case BSON_TYPE_DOUBLE: "double"
        case BSON_TYPE_UTF8: "string"
        case BSON_TYPE_DOCUMENT: "document"
        case BSON_TYPE_ARRAY: "array"
        case BSON_TYPE_BINARY: "binary"
        case BSON_TYPE_UNDEFINED: "undefined"
        case BSON_TYPE_OID: "objectId"
        case BSON_TYPE_BOOL: "bool"
        case BSON_TYPE_DATE_TIME: "datetime"
        case BSON_TYPE_NULL: "null"
        case BSON_TYPE_REGEX: "regex"
        case BSON_TYPE_DBPOINTER: "dbPointer"
        case BSON_TYPE_CODE: "javascript"
        case BSON_TYPE_SYMBOL: "symbol"
        case BSON_TYPE_CODEWSCOPE: "javascriptWithScope"
        case BSON_TYPE_INT32: "int32"
        case BSON_TYPE_TIMESTAMP: "timestamp"
        case BSON_TYPE_INT64: "int64"
        case BSON_TYPE_DECIMAL128: "decimal128"
        case BSON_TYPE_MAXKEY: "maxKey"
        case BSON_TYPE_MINKEY: "minKey"
        default: "unknown(0x\(String(type.rawValue, radix: 16)))"
        }
    }
}

import CMongoc

/// A document's BSON bytes, and the bridge to libbson's and libmongoc's `bson_t`.
///
/// Swift imports every `bson_t *` parameter of libbson and libmongoc as `OpaquePointer` (libbson over-aligns the
/// type), so the bridge hands out and takes `OpaquePointer`s.
extension Document {
    /// Takes BSON bytes after checking them with libbson: the length header, the terminator, every element's
    /// structure down through embedded documents and arrays, and UTF-8 in keys and strings (NUL bytes are
    /// allowed inside string values, as BSON allows).
    ///
    /// - Throws: `BSONError.invalidBSON` describing the first problem.
    public init(bsonBytes: [UInt8]) throws {
        try Self.validate(bsonBytes)
        self.init(validBytes: bsonBytes)
    }

    /// The document's BSON bytes.
    public var bsonBytes: [UInt8] {
        storage
    }

    /// Runs `body` with a read-only `bson_t *` over this document's bytes, without copying them
    /// (`bson_init_static`); pass it straight to libmongoc. The pointer is valid only inside `body`.
    func withUnsafeBSONPointer<R>(_ body: (OpaquePointer) throws -> R) rethrows -> R {
        try storage.withUnsafeBufferPointer { bytes in
            try LibBSON.withScratchDocument { document in
                let initialised = bson_init_static(document, bytes.baseAddress!, bytes.count)
                precondition(initialised, "Document bytes are always a valid BSON document")
                return try body(document)
            }
        }
    }

    /// Copies a document built or returned by libbson or libmongoc (`bson_get_data` and its `len`).
    init(copying bson: OpaquePointer) {
        self.init(copyingValidBytes: LibBSON.bytes(of: bson))
    }

    /// Copies a document built or returned by libbson or libmongoc (`bson_get_data` and its `len`).
    init(copying bson: UnsafePointer<bson_t>) {
        self.init(copying: OpaquePointer(bson))
    }

    /// Runs `body` with an initialised, empty `bson_t` in aligned, immovable storage for a libmongoc `reply`
    /// out-parameter, then copies the reply and destroys the `bson_t`.
    ///
    /// Use this instead of `var reply = bson_t()`: a Swift variable is under-aligned for libbson, and a `bson_t`
    /// that libmongoc has grown points into itself, so it must not move between calls.
    static func receivingReply<R>(_ body: (OpaquePointer) throws -> R) rethrows -> (result: R, reply: Document) {
        try LibBSON.withNewDocument { reply in
            let result = try body(reply)
            return (result, Document(copying: reply))
        }
    }
}

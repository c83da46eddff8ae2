import CMongoc

/// One element of a document held in a `BSONDecodingBuffer`: where it is, and its type.
///
/// Only the decoder that owns the buffer may hold an element, since the element points into that buffer.
struct BSONElement {
    /// The bytes of the document that contains the element.
    let container: UnsafeRawBufferPointer
    /// The offset of the element's type byte within `container`.
    let offset: UInt32
    /// The length of the element's key.
    let keyLength: UInt32
    /// The element's BSON type.
    let type: bson_type_t

    /// The element `iterator` is positioned on, inside `container`.
    init(iterator: OpaquePointer, container: UnsafeRawBufferPointer) {
        self.container = container
        self.offset = bson_iter_offset(iterator)
        self.keyLength = bson_iter_key_len(iterator)
        self.type = bson_iter_type(iterator)
    }

    /// The BSON type's name, for errors ("string", "int32", ...).
    var typeName: String {
        LibBSON.typeName(type)
    }

    /// Whether the element is `null` or `undefined`, which decode as `nil`.
    var isNull: Bool {
        type == BSON_TYPE_NULL || type == BSON_TYPE_UNDEFINED
    }

    /// Runs `body` with a libbson iterator positioned on this element.
    func withIterator<R>(_ body: (OpaquePointer) throws -> R) rethrows -> R {
        try LibBSON.withScratchIterator { iterator in
            let positioned = bson_iter_init_from_data_at_offset(
                iterator, container.baseAddress!.assumingMemoryBound(to: UInt8.self), container.count, offset,
                keyLength)
            precondition(positioned, "a decoding element always points at a valid element")
            return try body(iterator)
        }
    }

    /// The bytes of the embedded document or array this element holds.
    var embeddedBytes: UnsafeRawBufferPointer {
        withIterator { iterator in
            var length: UInt32 = 0
            var bytes: UnsafePointer<UInt8>?
            if type == BSON_TYPE_ARRAY {
                bson_iter_array(iterator, &length, &bytes)
            } else {
                bson_iter_document(iterator, &length, &bytes)
            }
            return UnsafeRawBufferPointer(start: bytes, count: Int(length))
        }
    }

    /// Calls `body` with each element of the document `bytes` and an iterator positioned on it.
    static func forEach(
        in bytes: UnsafeRawBufferPointer, _ body: (BSONElement, OpaquePointer) throws -> Void
    ) rethrows {
        let start = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
        try LibBSON.withScratchIterator { iterator in
            guard bson_iter_init_from_data(iterator, start, bytes.count) else { return }
            while bson_iter_next(iterator) {
                try body(BSONElement(iterator: iterator, container: bytes), iterator)
            }
        }
    }

    /// The error for a value whose BSON type cannot become `expected`: `valueNotFound` for null, otherwise
    /// `typeMismatch`.
    func mismatch(expected: String, at codingPath: [any CodingKey]) -> BSONError {
        let path = BSONError.dottedPath(codingPath)
        return isNull
            ? .valueNotFound(path: path, expected: expected)
            : .typeMismatch(path: path, expected: expected, found: typeName)
    }
}

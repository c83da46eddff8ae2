import CMongoc

/// An ordered BSON document, stored as its BSON bytes in Swift-owned memory.
///
/// ```swift
/// var order: Document = ["_id": .objectId(ObjectId()), "status": "pending", "items": [["sku": "A-1", "qty": 2]]]
/// order["status"] = "paid"                 // replaces in place, keeping the key's position
/// order.append("paidAt", .datetime(Date()))
/// order[path: "items.0.sku"]               // "A-1"
/// let bytes = order.bsonBytes              // the exact BSON
/// ```
///
/// The bytes are always one complete, valid BSON document. Appending writes only the new element (amortised
/// constant time in the document's size); replacing or removing a key moves the bytes after it. Keys may repeat in
/// BSON: lookups and replacement use the first occurrence, and `append` does not check for an existing key.
///
/// Equality and hashing compare the bytes: the same keys and values in another order, or `int32(1)` against
/// `int64(1)`, are different documents.
///
/// Keys cannot contain NUL bytes. The non-throwing mutators (`append`, the subscript setter, `init(_:)`) stop the
/// program on such a key, as `Array` does on a bad index; `BSONEncoder` reports it as `BSONError.invalidKey`.
public struct Document: Sendable, Hashable {
    /// The BSON bytes: a little-endian length, the elements, and a terminating zero byte.
    private(set) var storage: [UInt8]

    /// The empty document, `{}`.
    public init() {
        storage = [5, 0, 0, 0, 0]
    }

    /// A document with the pairs in order (repeated keys are kept, as BSON allows).
    public init(_ pairs: [(String, BSONValue)]) {
        storage = LibBSON.withNewDocument { document in
            for (key, value) in pairs {
                Self.appendOrStop(value, key: key, to: document)
            }
            return Array(LibBSON.bytes(of: document))
        }
    }

    /// A document over bytes already known to be a valid BSON document (from libbson or another `Document`).
    init(copyingValidBytes bytes: UnsafeRawBufferPointer) {
        storage = Array(bytes)
    }

    /// A document over bytes already checked by `validate(_:)` or produced by libbson.
    init(validBytes bytes: [UInt8]) {
        storage = bytes
    }

    /// Copies the embedded document `iterator` is positioned on.
    init(embeddedAt iterator: OpaquePointer) {
        var length: UInt32 = 0
        var bytes: UnsafePointer<UInt8>?
        bson_iter_document(iterator, &length, &bytes)
        self.init(copyingValidBytes: UnsafeRawBufferPointer(start: bytes, count: Int(length)))
    }

    /// Appends `value` under `key` at the end, without looking for an existing `key`.
    ///
    /// Only the new element is written (libbson encodes it, then its bytes are added before the terminator), so
    /// building a document by repeated appends is linear overall.
    public mutating func append(_ key: String, _ value: BSONValue) {
        Self.withElementBytes(key: key, value: value) { element in
            storage.removeLast()
            storage.append(contentsOf: element)
            storage.append(0)
        }
        updateLengthHeader()
    }

    /// Removes the first element with `key`, returning its value; `nil` if there is none.
    @discardableResult
    public mutating func removeValue(forKey key: String) -> BSONValue? {
        guard let (range, value) = element(forKey: key) else { return nil }
        storage.removeSubrange(range)
        updateLengthHeader()
        return value
    }

    /// Replaces the value of the first element with `key` in place, or appends it when `key` is absent.
    mutating func updateValue(_ value: BSONValue, forKey key: String) {
        guard let (range, _) = element(forKey: key, readingValue: false) else {
            append(key, value)
            return
        }
        Self.withElementBytes(key: key, value: value) { element in
            storage.replaceSubrange(range, with: element)
        }
        updateLengthHeader()
    }

    /// The byte range and (when asked for) the value of the first element with `key`.
    private func element(forKey key: String, readingValue: Bool = true) -> (Range<Int>, BSONValue?)? {
        withIterator(findingKey: key) { iterator -> (Range<Int>, BSONValue?) in
            let start = Int(bson_iter_offset(iterator))
            let end = Int(LibBSON.nextOffset(of: iterator))
            let value: BSONValue? = readingValue ? BSONValue(iterator: iterator) : Optional.none
            return (start..<end, value)
        }
    }

    /// Runs `body` with an iterator on the first element with `key`; `nil` when there is none.
    func withIterator<R>(findingKey key: String, _ body: (OpaquePointer) throws -> R) rethrows
        -> R?
    {
        try withIterator { iterator in
            let found = key.withCString { bson_iter_find_w_len(iterator, $0, Int32(key.utf8.count)) }
            return found ? try body(iterator) : nil
        }
    }

    /// Runs `body` with an iterator initialised on this document, before its first element.
    func withIterator<R>(_ body: (OpaquePointer) throws -> R) rethrows -> R {
        try storage.withUnsafeBufferPointer { bytes in
            try LibBSON.withScratchIterator { iterator in
                let initialised = bson_iter_init_from_data(iterator, bytes.baseAddress, bytes.count)
                precondition(initialised, "Document bytes are always a valid BSON document")
                return try body(iterator)
            }
        }
    }

    /// Calls `body` for each element in order.
    func forEachElement(_ body: (OpaquePointer) throws -> Void) rethrows {
        try withIterator { iterator in
            while bson_iter_next(iterator) {
                try body(iterator)
            }
        }
    }

    /// Writes the byte count into the little-endian length header.
    private mutating func updateLengthHeader() {
        precondition(storage.count <= Int32.max, "a BSON document cannot exceed \(Int32.max) bytes")
        let length = UInt32(storage.count).littleEndian
        storage.withUnsafeMutableBytes { $0.storeBytes(of: length, as: UInt32.self) }
    }

    /// Runs `body` with the BSON bytes of one element (type, key, value), encoded by libbson.
    private static func withElementBytes(
        key: String, value: BSONValue, _ body: (UnsafeRawBufferPointer) -> Void
    ) {
        LibBSON.withNewDocument { document in
            appendOrStop(value, key: key, to: document)
            let bytes = LibBSON.bytes(of: document)
            body(UnsafeRawBufferPointer(rebasing: bytes[4..<(bytes.count - 1)]))
        }
    }

    /// Appends through libbson, stopping the program on a key with NUL or a value libbson refuses.
    private static func appendOrStop(_ value: BSONValue, key: String, to document: OpaquePointer) {
        precondition(!key.utf8.contains(0), "BSON keys must not contain NUL: \(String(reflecting: key))")
        do {
            try value.append(to: document, key: key)
        } catch {
            preconditionFailure("cannot append \(String(reflecting: key)) to a Document: \(error)")
        }
    }
}

import CMongoc

/// The bytes a decode reads from, in memory that stays put until the decode's last container is gone.
///
/// The bytes are one BSON document whose single element (key "") is the value being decoded, so a top-level
/// document and any other top-level value are decoded the same way.
final class BSONDecodingBuffer {
    private let bytes: UnsafeMutableRawBufferPointer

    /// Wraps `document` as the value of key "" in a new document: `[length][0x03]["" NUL][document][NUL]`.
    init(wrapping document: Document) {
        let inner = document.bsonBytes
        bytes = .allocate(byteCount: inner.count + 7, alignment: 8)
        bytes.storeBytes(of: UInt32(inner.count + 7).littleEndian, as: UInt32.self)
        bytes[4] = UInt8(BSON_TYPE_DOCUMENT.rawValue)
        bytes[5] = 0
        let destination = UnsafeMutableRawBufferPointer(rebasing: bytes[6..<(6 + inner.count)])
        inner.withUnsafeBytes { destination.copyMemory(from: $0) }
        bytes[inner.count + 6] = 0
    }

    /// Copies a document whose first element is the value to decode.
    init(copying document: UnsafeRawBufferPointer) {
        bytes = .allocate(byteCount: document.count, alignment: 8)
        bytes.copyMemory(from: document)
    }

    deinit {
        bytes.deallocate()
    }

    /// The value to decode: the first element.
    var rootElement: BSONElement {
        let document = UnsafeRawBufferPointer(bytes)
        let start = document.baseAddress!.assumingMemoryBound(to: UInt8.self)
        return LibBSON.withScratchIterator { iterator in
            let found = bson_iter_init_from_data(iterator, start, document.count) && bson_iter_next(iterator)
            precondition(found, "a decoding buffer always holds one element")
            return BSONElement(iterator: iterator, container: document)
        }
    }
}

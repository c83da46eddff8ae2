import CMongoc
import Foundation

/// Why libbson could not append a value; the caller adds the path.
struct BSONWriteFailure: Error {
    /// What went wrong, for `BSONError.encodingFailed`.
    let reason: String
}

extension BSONValue {
    /// Appends this value to `document` under a key the caller has already checked for NUL bytes.
    func append(to document: OpaquePointer, key: UnsafePointer<CChar>, keyLength: Int32) throws {
        let appended: Bool
        switch self {
        case .double(let value):
            appended = bson_append_double(document, key, keyLength, value)
        case .string(var value):
            appended = value.withUTF8 { utf8 in
                guard utf8.count <= Int32.max else { return false }
                guard let base = utf8.baseAddress, !utf8.isEmpty else {
                    return bson_append_utf8(document, key, keyLength, "", 0)
                }
                return base.withMemoryRebound(to: CChar.self, capacity: utf8.count) { text in
                    bson_append_utf8(document, key, keyLength, text, Int32(utf8.count))
                }
            }
        case .document(let value):
            appended = value.withUnsafeBSONPointer { bson_append_document(document, key, keyLength, $0) }
        case .array(let elements):
            appended = try Self.appendArray(elements, to: document, key: key, keyLength: keyLength)
        case .binary(let value):
            appended = Self.appendBinary(value, to: document, key: key, keyLength: keyLength)
        case .objectId(let value):
            var oid = value.oid
            appended = bson_append_oid(document, key, keyLength, &oid)
        case .bool(let value):
            appended = bson_append_bool(document, key, keyLength, value)
        case .datetime(let value):
            guard let milliseconds = value.bsonMilliseconds else {
                throw BSONWriteFailure(reason: "date \(value) is outside the BSON datetime range")
            }
            appended = bson_append_date_time(document, key, keyLength, milliseconds)
        case .null:
            appended = bson_append_null(document, key, keyLength)
        case .int32(let value):
            appended = bson_append_int32(document, key, keyLength, value)
        case .int64(let value):
            appended = bson_append_int64(document, key, keyLength, value)
        case .decimal128(let value):
            var decimal = value.bsonValue
            appended = bson_append_decimal128(document, key, keyLength, &decimal)
        case .timestamp(let value):
            appended = bson_append_timestamp(document, key, keyLength, value.timestamp, value.increment)
        case .regex(let pattern, let options):
            guard !pattern.utf8.contains(0), !options.utf8.contains(0) else {
                throw BSONWriteFailure(reason: "a regular expression's pattern and options must not contain NUL")
            }
            appended = bson_append_regex_w_len(
                document, key, keyLength, pattern, Int32(pattern.utf8.count), options)
        case .minKey:
            appended = bson_append_minkey(document, key, keyLength)
        case .maxKey:
            appended = bson_append_maxkey(document, key, keyLength)
        case .undefined:
            appended = bson_append_undefined(document, key, keyLength)
        }
        guard appended else {
            throw BSONWriteFailure(
                reason: "libbson refused the \(typeName) (the document would exceed the BSON size limit)")
        }
    }

    /// Appends `value` to `document` under a `String` key, rejecting keys that contain NUL.
    func append(to document: OpaquePointer, key: String) throws {
        guard !key.utf8.contains(0) else { throw BSONWriteFailure(reason: "key contains NUL") }
        try key.withCString { try append(to: document, key: $0, keyLength: Int32(key.utf8.count)) }
    }

    private static func appendArray(
        _ elements: [BSONValue], to document: OpaquePointer, key: UnsafePointer<CChar>,
        keyLength: Int32
    ) throws -> Bool {
        try LibBSON.withScratchDocument { child in
            guard bson_append_array_begin(document, key, keyLength, child) else { return false }
            for (index, element) in elements.enumerated() {
                try LibBSON.withIndexKey(index) { try element.append(to: child, key: $0, keyLength: $1) }
            }
            return bson_append_array_end(document, child)
        }
    }

    private static func appendBinary(
        _ binary: BSONBinary, to document: OpaquePointer, key: UnsafePointer<CChar>, keyLength: Int32
    ) -> Bool {
        let subtype = bson_subtype_t(rawValue: UInt32(binary.subtype.rawValue))
        return binary.data.withUnsafeBytes { raw in
            guard raw.count <= UInt32.max else { return false }
            guard let bytes = raw.baseAddress?.assumingMemoryBound(to: UInt8.self), raw.count > 0 else {
                var empty: UInt8 = 0
                return bson_append_binary(document, key, keyLength, subtype, &empty, 0)
            }
            return bson_append_binary(document, key, keyLength, subtype, bytes, UInt32(raw.count))
        }
    }
}

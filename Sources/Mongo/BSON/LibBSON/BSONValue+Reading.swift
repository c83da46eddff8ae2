import CMongoc
import Foundation

extension BSONValue {
    /// Reads the element `iterator` is positioned on, copying what it needs out of the underlying bytes.
    init(iterator: OpaquePointer) {
        switch bson_iter_type(iterator) {
        case BSON_TYPE_DOUBLE:
            self = .double(bson_iter_double(iterator))
        case BSON_TYPE_UTF8:
            var length: UInt32 = 0
            let text = bson_iter_utf8(iterator, &length)!
            self = .string(LibBSON.string(text, length: Int(length)))
        case BSON_TYPE_DOCUMENT:
            self = .document(Document(embeddedAt: iterator))
        case BSON_TYPE_ARRAY:
            self = .array(Self.arrayElements(at: iterator))
        case BSON_TYPE_BINARY:
            self = .binary(Self.binary(at: iterator))
        case BSON_TYPE_UNDEFINED:
            self = .undefined
        case BSON_TYPE_OID:
            self = .objectId(ObjectId(oid: bson_iter_oid(iterator).pointee))
        case BSON_TYPE_BOOL:
            self = .bool(bson_iter_bool(iterator))
        case BSON_TYPE_DATE_TIME:
            self = .datetime(Date(bsonMilliseconds: bson_iter_date_time(iterator)))
        case BSON_TYPE_NULL:
            self = .null
        case BSON_TYPE_REGEX:
            var options: UnsafePointer<CChar>?
            let pattern = bson_iter_regex(iterator, &options)!
            self = .regex(pattern: String(cString: pattern), options: options.map { String(cString: $0) } ?? "")
        case BSON_TYPE_INT32:
            self = .int32(bson_iter_int32(iterator))
        case BSON_TYPE_INT64:
            self = .int64(bson_iter_int64(iterator))
        case BSON_TYPE_DECIMAL128:
            var value = bson_decimal128_t()
            _ = bson_iter_decimal128(iterator, &value)
            self = .decimal128(Decimal128(value))
        case BSON_TYPE_TIMESTAMP:
            var timestamp: UInt32 = 0
            var increment: UInt32 = 0
            bson_iter_timestamp(iterator, &timestamp, &increment)
            self = .timestamp(BSONTimestamp(timestamp: timestamp, increment: increment))
        case BSON_TYPE_MINKEY:
            self = .minKey
        case BSON_TYPE_MAXKEY:
            self = .maxKey
        default:
            self = Self.deprecatedValue(at: iterator)
        }
    }

    /// The elements of the array `iterator` is positioned on.
    private static func arrayElements(at iterator: OpaquePointer) -> [BSONValue] {
        LibBSON.withScratchIterator { child in
            var elements: [BSONValue] = []
            guard bson_iter_recurse(iterator, child) else { return elements }
            while bson_iter_next(child) {
                elements.append(BSONValue(iterator: child))
            }
            return elements
        }
    }

    /// The binary data `iterator` is positioned on.
    static func binary(at iterator: OpaquePointer) -> BSONBinary {
        var subtype = BSON_SUBTYPE_BINARY
        var length: UInt32 = 0
        var bytes: UnsafePointer<UInt8>?
        bson_iter_binary(iterator, &subtype, &length, &bytes)
        let data = bytes.map { Data(bytes: $0, count: Int(length)) } ?? Data()
        return BSONBinary(subtype: .init(rawValue: UInt8(truncatingIfNeeded: subtype.rawValue)), data: data)
    }

    /// The canonical Extended JSON document of a deprecated type (symbol, code, code with scope, DBPointer).
    private static func deprecatedValue(at iterator: OpaquePointer) -> BSONValue {
        var length: UInt32 = 0
        switch bson_iter_type(iterator) {
        case BSON_TYPE_SYMBOL:
            let symbol = bson_iter_symbol(iterator, &length)!
            return ["$symbol": .string(LibBSON.string(symbol, length: Int(length)))]
        case BSON_TYPE_CODE:
            let code = bson_iter_code(iterator, &length)!
            return ["$code": .string(LibBSON.string(code, length: Int(length)))]
        case BSON_TYPE_CODEWSCOPE:
            var scopeLength: UInt32 = 0
            var scope: UnsafePointer<UInt8>?
            let code = bson_iter_codewscope(iterator, &length, &scopeLength, &scope)!
            let scopeDocument = Document(
                copyingValidBytes: UnsafeRawBufferPointer(start: scope, count: Int(scopeLength)))
            return ["$code": .string(LibBSON.string(code, length: Int(length))), "$scope": .document(scopeDocument)]
        case BSON_TYPE_DBPOINTER:
            var collection: UnsafePointer<CChar>?
            var oid: UnsafePointer<bson_oid_t>?
            bson_iter_dbpointer(iterator, &length, &collection, &oid)
            return [
                "$dbPointer": [
                    "$ref": .string(LibBSON.string(collection!, length: Int(length))),
                    "$id": .objectId(ObjectId(oid: oid!.pointee)),
                ]
            ]
        default:
            return .undefined
        }
    }
}

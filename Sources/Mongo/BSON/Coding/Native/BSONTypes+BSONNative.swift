import CMongoc

/// `Decimal128` is BSON decimal128; it also decodes from int32 and int64, never from double.
extension Decimal128: BSONNativeCodable {
    func bsonValue(at codingPath: @autoclosure () -> [any CodingKey]) throws -> BSONValue {
        .decimal128(self)
    }

    init(bsonElement element: BSONElement, codingPath: @autoclosure () -> [any CodingKey]) throws {
        self = try Self.decodeNumber(element, expected: "Decimal128", at: codingPath())
    }

    /// A decimal128, or the exact decimal128 of an int32 or int64; any other type (double included) is a
    /// mismatch against `expected`.
    static func decodeNumber(
        _ element: BSONElement, expected: String, at codingPath: @autoclosure () -> [any CodingKey]
    ) throws -> Decimal128 {
        switch element.type {
        case BSON_TYPE_DECIMAL128:
            return element.withIterator { iterator in
                var value = bson_decimal128_t()
                _ = bson_iter_decimal128(iterator, &value)
                return Decimal128(value)
            }
        case BSON_TYPE_INT32:
            return Decimal128(Int64(element.withIterator { bson_iter_int32($0) }))
        case BSON_TYPE_INT64:
            return Decimal128(element.withIterator { bson_iter_int64($0) })
        default:
            throw element.mismatch(expected: expected, at: codingPath())
        }
    }
}

/// `ObjectId` is BSON objectId.
extension ObjectId: BSONNativeCodable {
    func bsonValue(at codingPath: @autoclosure () -> [any CodingKey]) throws -> BSONValue {
        .objectId(self)
    }

    init(bsonElement element: BSONElement, codingPath: @autoclosure () -> [any CodingKey]) throws {
        guard element.type == BSON_TYPE_OID else { throw element.mismatch(expected: "ObjectId", at: codingPath()) }
        self = element.withIterator { ObjectId(oid: bson_iter_oid($0).pointee) }
    }
}

/// `BSONBinary` is BSON binary of its subtype.
extension BSONBinary: BSONNativeCodable {
    func bsonValue(at codingPath: @autoclosure () -> [any CodingKey]) throws -> BSONValue {
        .binary(self)
    }

    init(bsonElement element: BSONElement, codingPath: @autoclosure () -> [any CodingKey]) throws {
        guard element.type == BSON_TYPE_BINARY else {
            throw element.mismatch(expected: "BSONBinary", at: codingPath())
        }
        self = element.withIterator { BSONValue.binary(at: $0) }
    }
}

/// `BSONTimestamp` is BSON timestamp.
extension BSONTimestamp: BSONNativeCodable {
    func bsonValue(at codingPath: @autoclosure () -> [any CodingKey]) throws -> BSONValue {
        .timestamp(self)
    }

    init(bsonElement element: BSONElement, codingPath: @autoclosure () -> [any CodingKey]) throws {
        guard element.type == BSON_TYPE_TIMESTAMP else {
            throw element.mismatch(expected: "BSONTimestamp", at: codingPath())
        }
        guard case .timestamp(let value) = element.withIterator({ BSONValue(iterator: $0) }) else {
            preconditionFailure("a timestamp element reads as a timestamp")
        }
        self = value
    }
}

/// `Document` is an embedded BSON document.
extension Document: BSONNativeCodable {
    func bsonValue(at codingPath: @autoclosure () -> [any CodingKey]) throws -> BSONValue {
        .document(self)
    }

    init(bsonElement element: BSONElement, codingPath: @autoclosure () -> [any CodingKey]) throws {
        guard element.type == BSON_TYPE_DOCUMENT else {
            throw element.mismatch(expected: "Document", at: codingPath())
        }
        self = element.withIterator { Document(embeddedAt: $0) }
    }
}

/// `BSONValue` is any BSON value (`null` included: decoding a `BSONValue` from null gives `.null`).
extension BSONValue: BSONNativeCodable {
    func bsonValue(at codingPath: @autoclosure () -> [any CodingKey]) throws -> BSONValue {
        self
    }

    init(bsonElement element: BSONElement, codingPath: @autoclosure () -> [any CodingKey]) throws {
        self = element.withIterator { BSONValue(iterator: $0) }
    }
}

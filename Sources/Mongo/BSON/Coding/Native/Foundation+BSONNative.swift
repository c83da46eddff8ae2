import CMongoc
import Foundation

/// `Date` is a BSON datetime (milliseconds since the epoch, rounded to the nearest millisecond).
extension Date: BSONNativeCodable {
    func bsonValue(at codingPath: @autoclosure () -> [any CodingKey]) throws -> BSONValue {
        guard let milliseconds = bsonMilliseconds else {
            throw BSONError.encodingFailed(
                path: BSONError.dottedPath(codingPath()), reason: "date \(self) is outside the BSON datetime range")
        }
        return .datetime(Date(bsonMilliseconds: milliseconds))
    }

    init(bsonElement element: BSONElement, codingPath: @autoclosure () -> [any CodingKey]) throws {
        guard element.type == BSON_TYPE_DATE_TIME else { throw element.mismatch(expected: "Date", at: codingPath()) }
        self.init(bsonMilliseconds: element.withIterator { bson_iter_date_time($0) })
    }
}

/// `Data` is BSON binary subtype 0; it decodes from binary of any subtype.
extension Data: BSONNativeCodable {
    func bsonValue(at codingPath: @autoclosure () -> [any CodingKey]) throws -> BSONValue {
        .binary(BSONBinary(data: self))
    }

    init(bsonElement element: BSONElement, codingPath: @autoclosure () -> [any CodingKey]) throws {
        guard element.type == BSON_TYPE_BINARY else { throw element.mismatch(expected: "Data", at: codingPath()) }
        self = element.withIterator { BSONValue.binary(at: $0) }.data
    }
}

/// `UUID` is BSON binary subtype 4 (16 bytes, RFC 4122 order).
extension UUID: BSONNativeCodable {
    func bsonValue(at codingPath: @autoclosure () -> [any CodingKey]) throws -> BSONValue {
        .binary(BSONBinary(uuid: self))
    }

    init(bsonElement element: BSONElement, codingPath: @autoclosure () -> [any CodingKey]) throws {
        guard element.type == BSON_TYPE_BINARY else { throw element.mismatch(expected: "UUID", at: codingPath()) }
        let binary = element.withIterator { BSONValue.binary(at: $0) }
        guard let uuid = binary.uuid else {
            throw BSONError.typeMismatch(
                path: BSONError.dottedPath(codingPath()), expected: "UUID",
                found: "binary subtype \(binary.subtype) of \(binary.data.count) bytes")
        }
        self = uuid
    }
}

/// `Decimal` is BSON decimal128, converted exactly through its decimal string.
extension Decimal: BSONNativeCodable {
    func bsonValue(at codingPath: @autoclosure () -> [any CodingKey]) throws -> BSONValue {
        guard let decimal128 = Decimal128(exactly: self) else {
            let reason = isNaN ? "NaN is not a number" : "\(self) needs more than the 34 digits of decimal128"
            throw BSONError.encodingFailed(path: BSONError.dottedPath(codingPath()), reason: reason)
        }
        return .decimal128(decimal128)
    }

    init(bsonElement element: BSONElement, codingPath: @autoclosure () -> [any CodingKey]) throws {
        let decimal128 = try Decimal128.decodeNumber(element, expected: "Decimal", at: codingPath())
        guard let decimal = decimal128.decimalValue else {
            throw BSONError.dataCorrupted(
                path: BSONError.dottedPath(codingPath()), reason: "decimal128 \(decimal128) has no exact Decimal")
        }
        self = decimal
    }
}

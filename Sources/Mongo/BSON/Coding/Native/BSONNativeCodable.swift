/// A type `BSONEncoder` writes as one BSON value of its own rather than through its `Encodable` conformance
/// (`Date` as a datetime, `UUID` as binary subtype 4, `Decimal` as decimal128, ...).
protocol BSONNativeEncodable {
    /// The BSON value to write; `codingPath` is only evaluated to report an error.
    func bsonValue(at codingPath: @autoclosure () -> [any CodingKey]) throws -> BSONValue
}

/// A type `BSONDecoder` reads straight from one BSON element rather than through its `Decodable` conformance.
protocol BSONNativeDecodable {
    /// Reads the element, throwing `BSONError` with the dotted `codingPath` when its type does not fit.
    init(bsonElement element: BSONElement, codingPath: @autoclosure () -> [any CodingKey]) throws
}

/// A type that is both.
typealias BSONNativeCodable = BSONNativeEncodable & BSONNativeDecodable

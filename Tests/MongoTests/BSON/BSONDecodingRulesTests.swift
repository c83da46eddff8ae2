import Foundation
import Testing

@testable import Mongo

private struct Box<Value: Codable>: Codable {
    var value: Value
}

/// Decodes `value` as the `value` field of a `Box<T>`.
private func decode<T: Codable>(_ type: T.Type, _ value: BSONValue) throws -> T {
    try BSONDecoder().decode(Box<T>.self, from: ["value": value]).value
}

/// Expects decoding `value` as `T` to fail with exactly `expected`.
private func expectError<T: Codable>(
    _ type: T.Type, _ value: BSONValue, _ expected: BSONError, sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(throws: expected, sourceLocation: sourceLocation) { try decode(type, value) }
}

/// Expects decoding `value` as `T` to fail with `typeMismatch` at `value`, naming the BSON type `found`.
private func expectMismatch<T: Codable>(
    _ type: T.Type, _ value: BSONValue, found: String, sourceLocation: SourceLocation = #_sourceLocation
) {
    let expected = BSONError.typeMismatch(path: "value", expected: "\(T.self)", found: found)
    expectError(type, value, expected, sourceLocation: sourceLocation)
}

/// Expects decoding `value` as `T` to fail with `dataCorrupted` at `value` (right type, unusable content).
private func expectCorrupted<T: Codable>(
    _ type: T.Type, _ value: BSONValue, sourceLocation: SourceLocation = #_sourceLocation
) {
    let error = #expect(throws: BSONError.self, sourceLocation: sourceLocation) { try decode(type, value) }
    guard case .dataCorrupted(path: "value", _) = error else {
        Issue.record(
            "expected dataCorrupted at value, got \(String(describing: error))", sourceLocation: sourceLocation)
        return
    }
}

@Suite("BSON decoding rules")
struct BSONDecodingRulesTests {
    @Test("Int and Int64 take int32, int64 and exactly integral doubles")
    func wideIntegers() throws {
        #expect(try decode(Int.self, .int32(-5)) == -5)
        #expect(try decode(Int.self, .int64(.max)) == Int.max)
        #expect(try decode(Int.self, .double(3)) == 3)
        #expect(try decode(Int64.self, .double(-9_007_199_254_740_992)) == -9_007_199_254_740_992)
        #expect(try decode(UInt64.self, .int64(7)) == 7)
        expectError(
            Int.self, .double(3.5),
            .dataCorrupted(path: "value", reason: "double 3.5 is not exactly representable as Int"))
        expectCorrupted(Int64.self, .double(1e30))
        expectCorrupted(Int.self, .double(.nan))
        expectCorrupted(UInt64.self, .int64(-1))
        expectMismatch(Int.self, "1", found: "string")
        expectMismatch(Int.self, .decimal128(Decimal128("1")!), found: "decimal128")
    }

    @Test("Int32 takes int32 and in-range int64, not doubles; narrower integers check their range")
    func narrowIntegers() throws {
        #expect(try decode(Int32.self, .int32(.min)) == .min)
        #expect(try decode(Int32.self, .int64(Int64(Int32.max))) == .max)
        expectCorrupted(Int32.self, .int64(Int64(Int32.max) + 1))
        expectMismatch(Int32.self, .double(1), found: "double")
        #expect(try decode(UInt8.self, .int32(255)) == 255)
        expectCorrupted(UInt8.self, .int32(256))
        expectCorrupted(Int8.self, .int64(-129))
        #expect(try decode(UInt32.self, .int64(Int64(UInt32.max))) == .max)
    }

    @Test("Double and Float take double, int32 and int64")
    func floatingPoint() throws {
        #expect(try decode(Double.self, .double(0.5)) == 0.5)
        #expect(try decode(Double.self, .int32(3)) == 3)
        #expect(try decode(Double.self, .int64(1 << 40)) == Double(1 << 40))
        #expect(try decode(Float.self, .int32(2)) == 2)
        #expect(try decode(Float.self, .double(.infinity)) == .infinity)
        expectCorrupted(Float.self, .double(1e300))
        expectMismatch(Double.self, .decimal128(Decimal128("1.5")!), found: "decimal128")
        expectMismatch(Float.self, "x", found: "string")
    }

    @Test("Decimal and Decimal128 take decimal128 and exact integers, and reject doubles")
    func money() throws {
        #expect(try decode(Decimal.self, .decimal128(Decimal128("12.50")!)) == Decimal(string: "12.5"))
        #expect(try decode(Decimal.self, .int32(12)) == Decimal(12))
        #expect(try decode(Decimal.self, .int64(.max)) == Decimal(string: "9223372036854775807"))
        #expect(try decode(Decimal128.self, .int64(.min)) == Decimal128("-9223372036854775808"))
        #expect(try decode(Decimal128.self, .decimal128(Decimal128("12.50")!)).description == "12.50")
        expectMismatch(Decimal.self, .double(12.5), found: "double")
        expectMismatch(Decimal128.self, .double(12.5), found: "double")
        expectMismatch(Decimal.self, "12.50", found: "string")
        expectCorrupted(Decimal.self, .decimal128(.nan))
        expectCorrupted(Decimal.self, .decimal128(Decimal128("1E+6144")!))
    }

    @Test("Date, Bool, String, UUID, Data, ObjectId and Document take only their own BSON type")
    func strictTypes() throws {
        let date = Date(timeIntervalSince1970: 1_795_256_130.123)
        #expect(try decode(Date.self, .datetime(date)) == date)
        expectMismatch(Date.self, .int64(1_795_256_130_123), found: "int64")
        expectMismatch(Date.self, "2026-11-21T10:15:30.123Z", found: "string")
        expectMismatch(Bool.self, .int32(1), found: "int32")
        expectMismatch(String.self, .int32(1), found: "int32")
        let uuid = UUID()
        #expect(try decode(UUID.self, .binary(BSONBinary(uuid: uuid))) == uuid)
        expectMismatch(
            UUID.self, .binary(BSONBinary(data: Data(repeating: 1, count: 16))),
            found: "binary subtype 00 of 16 bytes")
        #expect(try decode(Data.self, .binary(BSONBinary(subtype: .md5, data: Data([1])))) == Data([1]))
        expectMismatch(Data.self, "AQ==", found: "string")
        expectMismatch(ObjectId.self, "65f1c0ffee00000000000001", found: "string")
        expectMismatch(Document.self, [1], found: "array")
    }

    @Test("a String is never read from a symbol")
    func symbol() throws {
        let document = try Document(extendedJSON: #"{"value": {"$symbol": "sym"}}"#)
        #expect(throws: BSONError.typeMismatch(path: "value", expected: "String", found: "symbol")) {
            try BSONDecoder().decode(Box<String>.self, from: document)
        }
    }

    @Test("null for a non-optional value is valueNotFound")
    func nullValue() {
        expectError(Int.self, nil, .valueNotFound(path: "value", expected: "Int"))
        expectError(String.self, .undefined, .valueNotFound(path: "value", expected: "String"))
        expectError(Date.self, nil, .valueNotFound(path: "value", expected: "Date"))
        expectError([Int].self, nil, .valueNotFound(path: "value", expected: "array"))
        expectError(Box<Int>.self, nil, .valueNotFound(path: "value", expected: "document"))
    }
}

import Foundation
import Testing

@testable import Mongo

@Suite("BSON value round trips through bytes")
struct BSONValueRoundTripTests {
    static let date = Date(timeIntervalSince1970: 1_795_256_130.123)
    static let uuid = UUID(uuidString: "E621E1F8-C36C-495A-93FC-0C247A3E6E5F")!

    static let everyValue: [(String, BSONValue)] = [
        ("double", .double(-2.5)),
        ("doubleInfinity", .double(.infinity)),
        ("string", "plain"),
        ("unicode", "ключ 名前 👩‍💻"),
        ("document", ["nested": ["deeper": true]]),
        ("array", [1, "two", [3], ["four": 4]]),
        ("arrayOfDocuments", [["sku": "a", "quantity": 1], ["sku": "b", "quantity": 2]]),
        ("emptyDocument", [:]),
        ("emptyArray", []),
        ("binary", .binary(BSONBinary(data: Data([0, 1, 2, 255])))),
        ("emptyBinary", .binary(BSONBinary(data: Data()))),
        ("uuid", .binary(BSONBinary(uuid: uuid))),
        ("userBinary", .binary(BSONBinary(subtype: .userDefined, data: Data([9])))),
        ("oldBinary", .binary(BSONBinary(subtype: .binaryOld, data: Data([7, 8])))),
        ("objectId", .objectId(ObjectId("65f1c0ffee00000000000001")!)),
        ("true", true),
        ("false", false),
        ("datetime", .datetime(date)),
        ("beforeEpoch", .datetime(Date(timeIntervalSince1970: -1.5))),
        ("null", nil),
        ("int32Min", .int32(.min)),
        ("int32Max", .int32(.max)),
        ("int64Min", .int64(.min)),
        ("int64Max", .int64(.max)),
        ("decimalTenth", .decimal128(Decimal128("0.1")!)),
        ("decimalLong", .decimal128(Decimal128("12345678901234567890.12")!)),
        ("decimalNegativeZero", .decimal128(Decimal128("-0")!)),
        ("decimalLargest", .decimal128(Decimal128("9.999999999999999999999999999999999E+6144")!)),
        ("decimalSmallest", .decimal128(Decimal128("1E-6176")!)),
        ("decimalNaN", .decimal128(.nan)),
        ("decimalInfinity", .decimal128(.infinity)),
        ("timestamp", .timestamp(BSONTimestamp(timestamp: 1_700_000_000, increment: 42))),
        ("regex", .regex(pattern: "^a.*[b]$", options: "imsx")),
        ("minKey", .minKey),
        ("maxKey", .maxKey),
        ("undefined", .undefined),
    ]

    @Test("every type survives bytes, validation and reading", arguments: everyValue)
    func throughBytes(key: String, value: BSONValue) throws {
        var document = Document()
        document.append(key, value)
        let copy = try Document(bsonBytes: document.bsonBytes)
        #expect(copy[key] == value)
        #expect(copy.keys == [key])
    }

    @Test("a document of every type survives bytes and canonical Extended JSON")
    func wholeDocument() throws {
        let document = Document(Self.everyValue)
        let copy = try Document(bsonBytes: document.bsonBytes)
        #expect(copy == document)
        #expect(copy.keys == Self.everyValue.map(\.0))
        for (key, value) in Self.everyValue {
            #expect(copy[key] == value, "\(key)")
        }
        #expect(try Document(extendedJSON: document.canonicalExtendedJSON) == document)
    }

    @Test("every type survives BSONEncoder and BSONDecoder as BSONValue and inside a struct")
    func throughCoders() throws {
        struct Holder: Codable, Equatable {
            var value: BSONValue
        }
        for (key, value) in Self.everyValue {
            let encoded = try BSONEncoder().encode(Holder(value: value))
            #expect(encoded["value"] == value, "\(key)")
            #expect(try BSONDecoder().decode(Holder.self, from: encoded) == Holder(value: value), "\(key)")
            #expect(try BSONEncoder().encodeValue(value) == value, "\(key)")
            #expect(try BSONDecoder().decode(BSONValue.self, fromValue: value) == value, "\(key)")
        }
    }

    @Test("datetimes keep milliseconds exactly")
    func milliseconds() throws {
        let parsed = try #require(
            ISO8601DateFormatter.withFractionalSeconds.date(from: "2026-11-21T10:15:30.123Z"))
        var document = Document()
        document.append("at", .datetime(parsed))
        let copy = try Document(bsonBytes: document.bsonBytes)
        let read = try #require(copy["at"]?.dateValue)
        #expect(Int64((read.timeIntervalSince1970 * 1000).rounded()) == 1_795_256_130_123)
        #expect(read == Self.date)
        #expect(document.relaxedExtendedJSON.contains("2026-11-21T10:15:30.123Z"))
    }
}

extension ISO8601DateFormatter {
    /// A formatter for `2026-11-21T10:15:30.123Z`.
    fileprivate static var withFractionalSeconds: ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }
}

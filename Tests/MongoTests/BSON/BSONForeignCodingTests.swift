import Foundation
import Testing

@testable import Mongo

@Suite("BSON types with other coders")
struct BSONForeignCodingTests {
    private let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    @Test("JSONEncoder writes a Document as relaxed Extended JSON")
    func encodeDocument() throws {
        let document: Document = [
            "a": 1, "b": .int32(2), "d": .decimal128(Decimal128("12.50")!),
            "id": .objectId(ObjectId("65f1c0ffee00000000000001")!),
            "t": .datetime(Date(timeIntervalSince1970: 1_795_256_130.123)), "n": nil, "s": "ключ",
            "x": [1.5, .double(.infinity)], "u": .binary(BSONBinary(data: Data([1, 2]))), "min": .minKey,
            "ts": .timestamp(BSONTimestamp(timestamp: 1, increment: 2)), "r": .regex(pattern: "^a", options: "i"),
            "old": .datetime(Date(timeIntervalSince1970: -1)),
        ]
        let json = String(decoding: try encoder.encode(document), as: UTF8.self)
        #expect(
            json
                == #"{"a":1,"b":2,"d":{"$numberDecimal":"12.50"},"id":{"$oid":"65f1c0ffee00000000000001"},"min":{"$minKey":1},"n":null,"old":{"$date":{"$numberLong":"-1000"}},"r":{"$regularExpression":{"options":"i","pattern":"^a"}},"s":"ключ","t":{"$date":"2026-11-21T10:15:30.123Z"},"ts":{"$timestamp":{"i":2,"t":1}},"u":{"$binary":{"base64":"AQI=","subType":"00"}},"x":[1.5,{"$numberDouble":"Infinity"}]}"#
        )
    }

    @Test("JSONDecoder reads Extended JSON back into a Document")
    func decodeDocument() throws {
        let original: Document = [
            "d": .decimal128(Decimal128("12.50")!), "id": .objectId(ObjectId("65f1c0ffee00000000000001")!),
            "t": .datetime(Date(timeIntervalSince1970: 1_795_256_130.123)), "big": .int64(.max), "small": .int32(3),
            "f": 0.5, "nested": ["list": ["a", nil, true]], "esc": "quote \" backslash \\ newline \n tab \t",
        ]
        let decoded = try JSONDecoder().decode(Document.self, from: encoder.encode(original))
        #expect(decoded["d"] == original["d"])
        #expect(decoded["id"] == original["id"])
        #expect(decoded["t"] == original["t"])
        #expect(decoded["big"] == .int64(.max))
        #expect(decoded["small"] == .int32(3))
        #expect(decoded["f"] == 0.5)
        #expect(decoded["nested"] == ["list": ["a", nil, true]])
        #expect(decoded["esc"] == original["esc"])
        #expect(decoded.count == original.count)
    }

    @Test("a BSONValue codes through JSON, with int64 narrowing to int32 when it fits")
    func value() throws {
        let value: BSONValue = [1, "two", nil, ["k": .decimal128(Decimal128("0.1")!)]]
        let json = try encoder.encode(value)
        #expect(String(decoding: json, as: UTF8.self) == #"[1,"two",null,{"k":{"$numberDecimal":"0.1"}}]"#)
        let decoded = try JSONDecoder().decode(BSONValue.self, from: json)
        #expect(decoded == [.int32(1), "two", nil, ["k": .decimal128(Decimal128("0.1")!)]])
        #expect(throws: (any Error).self) {
            try JSONDecoder().decode(Document.self, from: Data("[1]".utf8))
        }
    }

    @Test("BSONBinary and BSONTimestamp use keyed forms")
    func keyedForms() throws {
        let binary = BSONBinary(subtype: .md5, data: Data([1, 2, 3]))
        let timestamp = BSONTimestamp(timestamp: 10, increment: 20)
        #expect(String(decoding: try encoder.encode(binary), as: UTF8.self) == #"{"data":"AQID","subtype":5}"#)
        #expect(try JSONDecoder().decode(BSONBinary.self, from: encoder.encode(binary)) == binary)
        #expect(String(decoding: try encoder.encode(timestamp), as: UTF8.self) == #"{"increment":20,"timestamp":10}"#)
        #expect(try JSONDecoder().decode(BSONTimestamp.self, from: encoder.encode(timestamp)) == timestamp)
    }
}

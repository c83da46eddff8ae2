import Foundation
import Testing

@testable import Mongo

private struct Item: Codable, Equatable {
    var sku: String
    var quantity: Int
}

private struct Order: Codable, Equatable {
    var items: [Item]
}

private struct Catalogue: Codable {
    var byName: [String: Item]
}

@Suite("BSON coding errors")
struct BSONCodingErrorTests {
    @Test("a mismatched field deep in arrays is reported by its dotted path")
    func typeMismatchPath() throws {
        let document: Document = ["items": [["sku": "a", "quantity": 1], ["sku": "b", "quantity": "x"]]]
        let expected = BSONError.typeMismatch(path: "items.1.quantity", expected: "Int", found: "string")
        #expect(throws: expected) {
            try BSONDecoder().decode(Order.self, from: document)
        }
        #expect(expected.description == "items.1.quantity: expected Int but found string")
        #expect(expected.path == "items.1.quantity")
    }

    @Test("a missing key is reported by its dotted path")
    func keyNotFoundPath() {
        let document: Document = ["items": [["sku": "a", "quantity": 1], ["sku": "b"]]]
        #expect(throws: BSONError.keyNotFound(path: "items.1.quantity")) {
            try BSONDecoder().decode(Order.self, from: document)
        }
        #expect(throws: BSONError.keyNotFound(path: "items")) {
            try BSONDecoder().decode(Order.self, from: [:])
        }
        #expect(BSONError.keyNotFound(path: "items").description == "items: required key not found")
    }

    @Test("paths go through dictionary keys too")
    func dictionaryPath() {
        let document: Document = ["byName": ["first": ["sku": "a", "quantity": 1.5]]]
        #expect(
            throws: BSONError.dataCorrupted(
                path: "byName.first.quantity", reason: "double 1.5 is not exactly representable as Int")
        ) {
            try BSONDecoder().decode(Catalogue.self, from: document)
        }
    }

    @Test("null where a value is required is valueNotFound with its path")
    func valueNotFoundPath() {
        let document: Document = ["items": [["sku": nil, "quantity": 1]]]
        #expect(throws: BSONError.valueNotFound(path: "items.0.sku", expected: "String")) {
            try BSONDecoder().decode(Order.self, from: document)
        }
        #expect(
            BSONError.valueNotFound(path: "items.0.sku", expected: "String").description
                == "items.0.sku: expected String but found null")
    }

    @Test("containers of the wrong kind are type mismatches")
    func containerMismatch() {
        #expect(throws: BSONError.typeMismatch(path: "items", expected: "array", found: "document")) {
            try BSONDecoder().decode(Order.self, from: ["items": ["sku": "a"]])
        }
        #expect(throws: BSONError.typeMismatch(path: "items.0", expected: "document", found: "int64")) {
            try BSONDecoder().decode(Order.self, from: ["items": [1]])
        }
        #expect(throws: BSONError.typeMismatch(path: "", expected: "document", found: "int64")) {
            try BSONDecoder().decode(Item.self, fromValue: 5)
        }
        #expect(
            BSONError.typeMismatch(path: "", expected: "document", found: "int64").description
                == "top level: expected document but found int64")
    }

    @Test("DecodingErrors thrown by Codable code become BSONErrors with the path")
    func convertedDecodingError() {
        enum Colour: String, Codable { case red, green }
        struct Paint: Codable { var colours: [Colour] }
        #expect {
            try BSONDecoder().decode(Paint.self, from: ["colours": ["red", "blue"]])
        } throws: { error in
            guard case .dataCorrupted(path: "colours.1", _) = error as? BSONError else { return false }
            return true
        }
    }

    @Test("an unsigned value above Int64.max cannot be encoded")
    func unsignedOverflow() {
        struct Counter: Codable { var big: UInt64 }
        #expect(
            throws: BSONError.encodingFailed(
                path: "big", reason: "UInt64 18446744073709551615 does not fit in a BSON int64")
        ) {
            try BSONEncoder().encode(Counter(big: .max))
        }
        #expect(
            throws: BSONError.encodingFailed(
                path: "1", reason: "UInt 18446744073709551615 does not fit in a BSON int64")
        ) {
            try BSONEncoder().encodeValue([UInt(1), UInt.max])
        }
    }

    @Test("a Decimal that decimal128 cannot hold exactly is an encoding error")
    func inexactDecimal() throws {
        struct Payment: Codable { var amount: Decimal }
        let long = try #require(Decimal(string: "12345678901234567890123456789012345678"))
        #expect {
            try BSONEncoder().encode(Payment(amount: long))
        } throws: { error in
            guard case .encodingFailed(path: "amount", _) = error as? BSONError else { return false }
            return true
        }
        #expect {
            try BSONEncoder().encode(Payment(amount: .nan))
        } throws: { error in
            guard case .encodingFailed(path: "amount", _) = error as? BSONError else { return false }
            return true
        }
    }

    @Test("a key containing NUL is rejected with its path")
    func nulKeys() {
        struct Tagged: Codable { var tags: [String: Int] }
        #expect(throws: BSONError.invalidKey("a\u{0}b")) {
            try BSONEncoder().encode(["a\u{0}b": 1])
        }
        #expect(throws: BSONError.invalidKey("tags.bad\u{0}key")) {
            try BSONEncoder().encode(Tagged(tags: ["bad\u{0}key": 1]))
        }
        #expect(throws: BSONError.invalidKey("0.x\u{0}")) {
            try BSONEncoder().encodeValue([["x\u{0}": 1]])
        }
        #expect(BSONError.invalidKey("a\u{0}b").description == #""a\0b": a BSON key must not contain a NUL byte"#)
    }

    @Test("a regular expression containing NUL cannot be written")
    func nulRegex() {
        struct Pattern: Codable { var value: BSONValue }
        #expect {
            try BSONEncoder().encode(Pattern(value: .regex(pattern: "a\u{0}", options: "")))
        } throws: { error in
            guard case .encodingFailed(path: "value", _) = error as? BSONError else { return false }
            return true
        }
    }
}

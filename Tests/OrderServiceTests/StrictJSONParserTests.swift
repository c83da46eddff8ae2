import SagaKit
import Testing

@testable import OrderService

/// The strict parser reads bodies into `JSONValue` without losing what validation decides on.
@Suite("Strict JSON parser")
struct StrictJSONParserTests {
    static func parse(_ text: String) throws -> JSONValue {
        try StrictJSONParser.parse(Array(text.utf8))
    }

    @Test(
        "a plain integer literal is an exact int; a fraction, an exponent, -0 or an integer beyond Int64 is a double",
        arguments: [
            ("2", JSONValue.int(2)), ("-9223372036854775808", .int(.min)), ("0", .int(0)),
            ("2.0", .double(2)), ("1e3", .double(1000)), ("-0", .double(-0.0)),
            ("9223372036854775808", .double(9_223_372_036_854_775_808)), ("1e309", .double(.infinity)),
        ])
    func numbers(literal: String, expected: JSONValue) throws {
        #expect(try Self.parse(literal) == expected)
    }

    @Test("objects, arrays and strings read as JSONValue")
    func values() throws {
        #expect(
            try Self.parse(#"{"b":[true,null,"x\u00e9"],"a":{"n":1}}"#)
                == ["b": [true, .null, "xé"], "a": ["n": 1]])
    }

    @Test("a duplicate member is refused at its position")
    func duplicate() throws {
        #expect(throws: StrictJSONParser.Failure(reason: #"duplicate member "a""#, offset: 10)) {
            try Self.parse(#"{"a":1,"a":2}"#)
        }
    }

    @Test("only an int within range is an integer field; unknown fields are named in the order of their names")
    func validation() throws {
        let validator = BodyValidator()
        let body = validator.object(
            try Self.parse(#"{"q":2.0,"z":1,"n":7,"b":2}"#), at: "", allowed: ["q", "n"])
        #expect(validator.integer(body?["n"], at: "n", range: 1...10) == 7)
        #expect(validator.integer(body?["q"], at: "q", range: 1...10) == nil)
        #expect(
            validator.errors.map(\.field) == ["b", "z", "q"])
    }
}

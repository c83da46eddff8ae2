import Foundation
import JSONValues
import Testing

@Suite("JSONValue")
struct JSONValueTests {
    struct Sample: Codable, Equatable {
        var id: Int64
        var amount: String
        var at: Date
        var tags: [String]
        var ratio: Double
        var nested: [String: Bool]
    }

    @Test("Codable values round-trip through JSONValue with exact integers and millisecond dates")
    func bridging() throws {
        let sample = Sample(
            id: 9_007_199_254_740_993,
            amount: "1234.56",
            at: Date(timeIntervalSince1970: 1_735_689_600.123),
            tags: ["a", "b"],
            ratio: 0.25,
            nested: ["x": true]
        )
        let json = try JSONValue(encoding: sample)
        #expect(json["id"] == .int(9_007_199_254_740_993))
        #expect(json["amount"] == "1234.56")
        #expect(json["at"] == "2025-01-01T00:00:00.123Z")
        #expect(json["ratio"] == .double(0.25))
        #expect(try json.decode(as: Sample.self) == sample)
    }

    @Test("JSONValue encodes as plain JSON and decodes back")
    func plainJSON() throws {
        let value: JSONValue = ["n": .null, "b": true, "i": 42, "d": 1.5, "s": "x", "a": [1, "two"], "o": ["k": "v"]]
        let text = value.jsonText()
        #expect(text == #"{"a":[1,"two"],"b":true,"d":1.5,"i":42,"n":null,"o":{"k":"v"},"s":"x"}"#)
        #expect(try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) == value)
    }
}

/// The direct JSONValue coder gives what a JSON text round trip gave, without the text.
@Suite("JSONValue coding")
struct JSONValueCodingTests {
    struct Inner: Codable, Hashable {
        var when: Date
        var blob: Data
        var ratio: Double
        var whole: Double
        var maybe: String?
    }

    struct Outer: Codable, Hashable {
        var name: String
        var count: Int
        var flags: [Bool]
        var inner: Inner
        var byName: [String: Int]
        var nested: [[Int8]]
        var nothing: Int?
    }

    /// Encodes with a nested keyed container by hand, as custom conformances do.
    struct Custom: Codable, Hashable {
        var a: Int
        var b: String
        enum Keys: String, CodingKey { case outer, a, b }
        init(a: Int, b: String) {
            self.a = a
            self.b = b
        }
        init(from decoder: any Decoder) throws {
            let outer = try decoder.container(keyedBy: Keys.self).nestedContainer(keyedBy: Keys.self, forKey: .outer)
            a = try outer.decode(Int.self, forKey: .a)
            b = try outer.decode(String.self, forKey: .b)
        }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            var outer = container.nestedContainer(keyedBy: Keys.self, forKey: .outer)
            try outer.encode(a, forKey: .a)
            try outer.encode(b, forKey: .b)
        }
    }

    static let sample = Outer(
        name: "x", count: 3, flags: [true, false],
        inner: Inner(
            when: Date(timeIntervalSince1970: 1_800_000_000.123), blob: Data([1, 2, 3]), ratio: 0.25, whole: 2,
            maybe: nil),
        byName: ["a": 1, "b": 2], nested: [[1, -2], []], nothing: nil)

    @Test("values round-trip, and encode as a JSON text round trip encoded them")
    func matchesTextRoundTrip() throws {
        let direct = try JSONValue(encoding: Self.sample)
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(JSONDate.format(date))
        }
        let viaText = try JSONDecoder().decode(JSONValue.self, from: try encoder.encode(Self.sample))
        #expect(direct == viaText)
        #expect(direct["inner"]?["whole"] == .int(2), "whole numbers are ints, as a text round trip made them")
        #expect(direct["inner"]?["maybe"] == nil, "absent optionals are left out")
        #expect(try direct.decode(as: Outer.self) == Self.sample)
        let custom = Custom(a: 7, b: "seven")
        let value = try JSONValue(encoding: custom)
        #expect(value == ["outer": ["a": 7, "b": "seven"]])
        #expect(try value.decode(as: Custom.self) == custom)
    }

    @Test("URLs round-trip as text; a Float encodes as the number it prints as")
    func urlsAndFloats() throws {
        struct Link: Codable, Hashable {
            var href: URL
            var weight: Float
        }
        let link = Link(href: URL(string: "https://example.com/a?b=c")!, weight: 0.1)
        let value = try JSONValue(encoding: link)
        #expect(value == ["href": "https://example.com/a?b=c", "weight": .double(0.1)])
        #expect(try value.decode(as: Link.self) == link)
    }

    @Test("a value that does not fit its type is a decoding error naming the path")
    func mismatches() {
        #expect(throws: DecodingError.self) { try JSONValue.object(["count": "three"]).decode(as: Outer.self) }
        #expect(throws: DecodingError.self) { try JSONValue.int(300).decode(as: Int8.self) }
        #expect(throws: EncodingError.self) { try JSONValue(encoding: Double.nan) }
    }
}

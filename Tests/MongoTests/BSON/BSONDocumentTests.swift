import CMongoc
import Foundation
import Testing

@testable import Mongo

@Suite("BSON Document")
struct BSONDocumentTests {
    @Test("keys keep the order they were written in")
    func ordering() {
        let document: Document = ["z": 1, "a": 2, "m": 3]
        #expect(document.keys == ["z", "a", "m"])
        #expect(document.values == [.int64(1), .int64(2), .int64(3)])
        #expect(document.map(\.key) == ["z", "a", "m"])
        #expect(document.map(\.value) == [1, 2, 3])
        #expect(document.count == 3)
        #expect(!document.isEmpty)
        #expect(Document().isEmpty)
        #expect(Document().count == 0)
        #expect(Array(Document()).isEmpty)
    }

    @Test("setting an existing key replaces it in place")
    func replace() throws {
        var document: Document = ["a": 1, "b": 2, "c": 3]
        document["b"] = "a longer string value than the int it replaces"
        #expect(document.keys == ["a", "b", "c"])
        #expect(document["b"] == "a longer string value than the int it replaces")
        document["b"] = .int32(9)
        #expect(document["b"] == .int32(9))
        #expect(document == ["a": 1, "b": .int32(9), "c": 3])
        #expect(try Document(bsonBytes: document.bsonBytes) == document)
    }

    @Test("setting a new key appends it; nil removes")
    func appendAndRemove() {
        var document: Document = ["a": 1, "b": 2]
        document["c"] = 3
        #expect(document.keys == ["a", "b", "c"])
        document["a"] = nil
        #expect(document.keys == ["b", "c"])
        document["missing"] = nil
        #expect(document.keys == ["b", "c"])
        #expect(document.removeValue(forKey: "c") == 3)
        #expect(document.removeValue(forKey: "c") == nil)
        #expect(document == ["b": 2])
        #expect(document.contains(key: "b"))
        #expect(!document.contains(key: "c"))
    }

    @Test("many appends build the same bytes as one construction")
    func manyAppends() throws {
        var appended = Document()
        var pairs: [(String, BSONValue)] = []
        for index in 0..<2000 {
            appended.append("k\(index)", .int64(Int64(index)))
            pairs.append(("k\(index)", .int64(Int64(index))))
        }
        #expect(appended == Document(pairs))
        #expect(appended.count == 2000)
        #expect(appended["k1999"] == .int64(1999))
        #expect(try Document(bsonBytes: appended.bsonBytes) == appended)
    }

    @Test("repeated keys are kept; lookups and replacement use the first")
    func repeatedKeys() {
        var document = Document([("a", 1), ("a", 2)])
        #expect(document.keys == ["a", "a"])
        #expect(document["a"] == 1)
        document["a"] = 3
        #expect(document.values == [3, 2])
    }

    @Test("dotted paths reach into documents and arrays")
    func dottedPaths() {
        let document: Document = ["a": ["b": [["c": "deep"], ["c": "second"]]], "x": 1]
        #expect(document[path: "a.b.0.c"] == "deep")
        #expect(document[path: "a.b.1.c"] == "second")
        #expect(document[path: "a.b.1"] == ["c": "second"])
        #expect(document[path: "x"] == 1)
        #expect(document[path: "a.b.2.c"] == nil)
        #expect(document[path: "a.missing"] == nil)
        #expect(document[path: "x.y"] == nil)
    }

    @Test("the bytes are standard BSON")
    func exactBytes() throws {
        let document: Document = ["a": .int32(1)]
        #expect(document.bsonBytes == [0x0C, 0, 0, 0, 0x10, 0x61, 0, 1, 0, 0, 0, 0])
        #expect(Document().bsonBytes == [5, 0, 0, 0, 0])
        #expect(try Document(bsonBytes: [0x0C, 0, 0, 0, 0x10, 0x61, 0, 1, 0, 0, 0, 0]) == document)
    }

    @Test(
        "invalid bytes are rejected",
        arguments: [
            [UInt8](),
            [5, 0, 0, 0],
            [6, 0, 0, 0, 0],
            [5, 0, 0, 0, 1],
            [0x0C, 0, 0, 0, 0x20, 0x61, 0, 1, 0, 0, 0, 0],
            [0x0C, 0, 0, 0, 0x10, 0x61, 0, 1, 0, 0, 0, 1],
            [0x0D, 0, 0, 0, 0x02, 0x61, 0, 9, 0, 0, 0, 0x61, 0],
            [0x0E, 0, 0, 0, 0x02, 0x61, 0, 2, 0, 0, 0, 0xFF, 0, 0],
            [0x0D, 0, 0, 0, 0x03, 0x61, 0, 6, 0, 0, 0, 0, 0],
        ])
    func invalidBytes(bytes: [UInt8]) {
        #expect {
            try Document(bsonBytes: bytes)
        } throws: { error in
            guard case .invalidBSON = error as? BSONError else { return false }
            return true
        }
    }

    @Test("invalid UTF-8 in a nested string is rejected with its path")
    func invalidNestedUTF8() {
        let bytes: [UInt8] = [22, 0, 0, 0, 3, 0x64, 0, 14, 0, 0, 0, 2, 0x73, 0, 2, 0, 0, 0, 0xFF, 0, 0, 0]
        #expect(throws: BSONError.invalidBSON(#"invalid UTF-8 in the string at "d.s""#)) {
            try Document(bsonBytes: bytes)
        }
    }

    @Test("Unicode keys and values round-trip exactly")
    func unicode() throws {
        let document: Document = [
            "ключ": "значение", "名前": "太郎", "emoji👩‍💻": "🚀✨ family: 👨‍👩‍👧‍👦", "e\u{301}": "combining",
            "nul": "a\u{0}b",
        ]
        let copy = try Document(bsonBytes: document.bsonBytes)
        #expect(copy == document)
        #expect(copy.keys == ["ключ", "名前", "emoji👩‍💻", "e\u{301}", "nul"])
        #expect(copy["名前"] == "太郎")
        #expect(copy["emoji👩‍💻"] == "🚀✨ family: 👨‍👩‍👧‍👦")
        #expect(copy["nul"]?.stringValue?.utf8.count == 3)
        #expect(copy["é"] == nil)
        #expect(try Document(extendedJSON: document.canonicalExtendedJSON) == document)
    }

    @Test("Extended JSON is written and read by libbson")
    func extendedJSON() throws {
        let date = Date(timeIntervalSince1970: 1_795_256_130.123)
        let document: Document = [
            "i": .int32(1), "l": .int64(2), "d": 1.5, "s": "x", "t": .datetime(date),
            "n": .decimal128(Decimal128("12.50")!), "o": .objectId(ObjectId("65f1c0ffee00000000000001")!),
        ]
        #expect(
            document.relaxedExtendedJSON
                == #"{ "i" : 1, "l" : 2, "d" : 1.5, "s" : "x", "t" : { "$date" : "2026-11-21T10:15:30.123Z" }, "n" : { "$numberDecimal" : "12.50" }, "o" : { "$oid" : "65f1c0ffee00000000000001" } }"#
        )
        #expect(
            document.canonicalExtendedJSON
                == #"{ "i" : { "$numberInt" : "1" }, "l" : { "$numberLong" : "2" }, "d" : { "$numberDouble" : "1.5" }, "s" : "x", "t" : { "$date" : { "$numberLong" : "1795256130123" } }, "n" : { "$numberDecimal" : "12.50" }, "o" : { "$oid" : "65f1c0ffee00000000000001" } }"#
        )
        #expect(document.description == document.relaxedExtendedJSON)
        #expect(try Document(extendedJSON: document.canonicalExtendedJSON) == document)
        let relaxed = try Document(extendedJSON: document.relaxedExtendedJSON)
        #expect(relaxed["l"] == .int32(2))
        #expect(relaxed["t"] == .datetime(date))
        #expect(try Document(extendedJSON: #"{"a": {"$numberLong": "9223372036854775807"}}"#) == ["a": .int64(.max)])
    }

    @Test("invalid Extended JSON is rejected", arguments: ["", "{", "[1, 2", "{\"a\": }", "not json"])
    func invalidExtendedJSON(text: String) {
        #expect {
            try Document(extendedJSON: text)
        } throws: { error in
            guard case .invalidBSON = error as? BSONError else { return false }
            return true
        }
    }

    @Test("equality and hashing compare bytes")
    func equality() {
        let a: Document = ["a": .int32(1)]
        #expect(a == ["a": .int32(1)])
        #expect(a.hashValue == Document([("a", .int32(1))]).hashValue)
        #expect(a != ["a": .int64(1)])
        #expect(Document([("x", 1), ("y", 2)]) != Document([("y", 2), ("x", 1)]))
    }

    @Test("libbson sees the same document, and copies come back intact")
    func libbsonInterop() {
        let document: Document = ["a": 1, "b": ["c": "d"]]
        let keyCount = document.withUnsafeBSONPointer { bson_count_keys($0) }
        #expect(keyCount == 2)
        let copy = document.withUnsafeBSONPointer { Document(copying: $0) }
        #expect(copy == document)
        let (appended, reply) = Document.receivingReply { reply in
            bson_append_int32(reply, "ok", 2, 1)
        }
        #expect(appended)
        #expect(reply == ["ok": .int32(1)])
    }

    @Test("deprecated BSON types read as their Extended JSON documents")
    func deprecatedTypes() throws {
        let document = try Document(
            extendedJSON:
                #"{"s": {"$symbol": "sym"}, "c": {"$code": "f()"}, "cs": {"$code": "g()", "$scope": {"x": 1}}}"#)
        #expect(document["s"] == ["$symbol": "sym"])
        #expect(document["c"] == ["$code": "f()"])
        #expect(document["cs"] == ["$code": "g()", "$scope": ["x": .int32(1)]])
    }

    @Test("a key containing NUL stops the program")
    func nulKeyTraps() async {
        await #expect(processExitsWith: .failure) {
            var document = Document()
            document.append("a\u{0}b", 1)
        }
    }
}

import Foundation
import Testing

@testable import Mongo

@Suite("BSON ObjectId")
struct BSONObjectIdTests {
    @Test("new ids are unique, 24 lowercase hex digits, and parse back")
    func generation() throws {
        let ids = (0..<1000).map { _ in ObjectId() }
        #expect(Set(ids).count == 1000)
        for id in ids.prefix(10) {
            #expect(id.hex.count == 24)
            #expect(id.hex.allSatisfy { "0123456789abcdef".contains($0) })
            #expect(ObjectId(id.hex) == id)
            #expect(ObjectId(bytes: id.bytes) == id)
        }
        #expect(abs(try #require(ids.first).timestamp.timeIntervalSinceNow) < 600)
    }

    @Test("ids generated concurrently are all distinct")
    func concurrentGeneration() async {
        let ids = await withTaskGroup(of: [ObjectId].self) { group in
            for _ in 0..<8 {
                group.addTask { (0..<500).map { _ in ObjectId() } }
            }
            var all: [ObjectId] = []
            for await batch in group { all += batch }
            return all
        }
        #expect(ids.count == 4000)
        #expect(Set(ids).count == 4000)
    }

    @Test("the timestamp is the first four bytes, big-endian seconds")
    func timestamp() throws {
        let id = try #require(ObjectId("65f1c0ffee00000000000001"))
        #expect(id.timestamp == Date(timeIntervalSince1970: 1_710_342_399))
        #expect(id.bytes.prefix(4) == [0x65, 0xF1, 0xC0, 0xFF])
        #expect(id.description == "65f1c0ffee00000000000001")
    }

    @Test(
        "invalid hex strings and byte counts are rejected",
        arguments: [
            "", "xyz", "65f1c0ffee0000000000001", "65f1c0ffee000000000000011", "g5f1c0ffee00000000000001",
            "65f1c0ffee0000000000000\u{0}",
        ])
    func invalid(hex: String) {
        #expect(ObjectId(hex) == nil)
    }

    @Test("wrong byte counts are rejected")
    func invalidBytes() {
        #expect(ObjectId(bytes: [UInt8](repeating: 1, count: 11)) == nil)
        #expect(ObjectId(bytes: [UInt8](repeating: 1, count: 13)) == nil)
    }

    @Test("ids order by their bytes")
    func ordering() throws {
        let low = try #require(ObjectId("000000000000000000000001"))
        let middle = try #require(ObjectId("000000000000000000000100"))
        let high = try #require(ObjectId("010000000000000000000000"))
        #expect([high, low, middle].sorted() == [low, middle, high])
        #expect(low < high)
    }

    @Test("outside BSON an id codes as its hex string")
    func jsonCoding() throws {
        let id = try #require(ObjectId("65f1c0ffee00000000000001"))
        let json = try JSONEncoder().encode([id])
        #expect(String(decoding: json, as: UTF8.self) == #"["65f1c0ffee00000000000001"]"#)
        #expect(try JSONDecoder().decode([ObjectId].self, from: json) == [id])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([ObjectId].self, from: Data(#"["nope"]"#.utf8))
        }
    }
}

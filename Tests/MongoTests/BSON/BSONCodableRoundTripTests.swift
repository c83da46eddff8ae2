import Foundation
import Testing

@testable import Mongo

/// A struct with a field of every natively mapped type.
private struct EveryType: Codable, Equatable {
    enum Status: String, Codable { case pending, paid }
    enum Priority: Int, Codable { case low = 1, high = 2 }
    struct Line: Codable, Equatable {
        var sku: String
        var quantity: Int
    }

    var string = "ключ 名前 👩‍💻"
    var bool = true
    var int = Int.min
    var int8 = Int8.min
    var int16 = Int16.max
    var int32 = Int32.min
    var int32Max = Int32.max
    var int64 = Int64.max
    var uint8 = UInt8.max
    var uint16 = UInt16.max
    var uint32Small: UInt32 = 7
    var uint32Large = UInt32.max
    var uint64: UInt64 = UInt64(Int64.max)
    var uint: UInt = 12
    var double = -0.25
    var float: Float = 1.5
    var date = Date(timeIntervalSince1970: 1_795_256_130.123)
    var uuid = UUID(uuidString: "E621E1F8-C36C-495A-93FC-0C247A3E6E5F")!
    var data = Data([0, 1, 2, 3])
    var decimal128 = Decimal128("12.50")!
    var decimal = Decimal(string: "12345678901234567890.12")!
    var objectId = ObjectId("65f1c0ffee00000000000001")!
    var document: Document = ["free": ["form": [1, 2]]]
    var value: BSONValue = .timestamp(BSONTimestamp(timestamp: 5, increment: 6))
    var numbers = [1, 2, 3]
    var lines = [Line(sku: "a", quantity: 1), Line(sku: "b", quantity: 2)]
    var byName: [String: Line] = ["名前": Line(sku: "x", quantity: 9)]
    var matrix: [[Int32]] = [[1], [], [2, 3]]
    var status = Status.paid
    var priority = Priority.high
    var present: String? = "here"
    var absent: String? = nil
    var optionals: [Int?] = [1, nil, 3]
}

@Suite("BSON Codable round trips")
struct BSONCodableRoundTripTests {
    @Test("every mapped type encodes to its documented BSON type")
    func encodedTypes() throws {
        let document = try BSONEncoder().encode(EveryType())
        #expect(document["string"] == "ключ 名前 👩‍💻")
        #expect(document["bool"] == true)
        #expect(document["int"] == .int64(.min))
        #expect(document["int8"] == .int32(Int32(Int8.min)))
        #expect(document["int16"] == .int32(Int32(Int16.max)))
        #expect(document["int32"] == .int32(.min))
        #expect(document["int64"] == .int64(.max))
        #expect(document["uint8"] == .int32(255))
        #expect(document["uint16"] == .int32(65535))
        #expect(document["uint32Small"] == .int32(7))
        #expect(document["uint32Large"] == .int64(Int64(UInt32.max)))
        #expect(document["uint64"] == .int64(.max))
        #expect(document["uint"] == .int64(12))
        #expect(document["double"] == .double(-0.25))
        #expect(document["float"] == .double(1.5))
        #expect(document["date"] == .datetime(Date(timeIntervalSince1970: 1_795_256_130.123)))
        #expect(document["uuid"]?.binaryValue?.subtype == .uuid)
        #expect(document["uuid"]?.binaryValue?.uuid == UUID(uuidString: "E621E1F8-C36C-495A-93FC-0C247A3E6E5F"))
        #expect(document["data"] == .binary(BSONBinary(subtype: .generic, data: Data([0, 1, 2, 3]))))
        #expect(document["decimal128"] == .decimal128(Decimal128("12.50")!))
        #expect(document["decimal"] == .decimal128(Decimal128("12345678901234567890.12")!))
        #expect(document["objectId"] == .objectId(ObjectId("65f1c0ffee00000000000001")!))
        #expect(document["document"] == ["free": ["form": [1, 2]]])
        #expect(document["value"] == .timestamp(BSONTimestamp(timestamp: 5, increment: 6)))
        #expect(document["numbers"] == [1, 2, 3])
        #expect(document[path: "lines.1.sku"] == "b")
        #expect(document[path: "byName.名前.quantity"] == 9)
        #expect(document["matrix"] == [[.int32(1)], [], [.int32(2), .int32(3)]])
        #expect(document["status"] == "paid")
        #expect(document["priority"] == 2)
        #expect(document["present"] == "here")
        #expect(document["absent"] == nil)
        #expect(!document.contains(key: "absent"))
        #expect(document["optionals"] == [1, nil, 3])
    }

    @Test("fields keep their declaration order")
    func fieldOrder() throws {
        let document = try BSONEncoder().encode(EveryType.Line(sku: "a", quantity: 1))
        #expect(document.keys == ["sku", "quantity"])
        #expect(document == ["sku": "a", "quantity": 1])
    }

    @Test("a struct survives the coders, and the bytes in between")
    func roundTrip() throws {
        let original = EveryType()
        let document = try BSONEncoder().encode(original)
        #expect(try BSONDecoder().decode(EveryType.self, from: document) == original)
        let fromBytes = try Document(bsonBytes: document.bsonBytes)
        #expect(try BSONDecoder().decode(EveryType.self, from: fromBytes) == original)
        let fromValue = try BSONEncoder().encodeValue(original)
        #expect(try BSONDecoder().decode(EveryType.self, fromValue: fromValue) == original)
    }

    @Test("integer extremes survive")
    func extremes() throws {
        struct Extremes: Codable, Equatable {
            var values: [Int64]
            var small: [Int32]
            var unsigned: [UInt64]
        }
        let original = Extremes(
            values: [.min, -1, 0, 1, .max], small: [.min, 0, .max], unsigned: [0, UInt64(Int64.max)])
        let document = try BSONEncoder().encode(original)
        #expect(document["values"] == [.int64(.min), -1, 0, 1, .int64(.max)])
        #expect(document["small"] == [.int32(.min), .int32(0), .int32(.max)])
        #expect(try BSONDecoder().decode(Extremes.self, from: document) == original)
    }

    @Test("Foundation.Decimal encodes as decimal128 and decodes back equal")
    func foundationDecimal() throws {
        struct Payment: Codable, Equatable {
            var amount: Decimal
        }
        let amount = try #require(Decimal(string: "12.50"))
        let document = try BSONEncoder().encode(Payment(amount: amount))
        let stored = try #require(document["amount"]?.decimal128Value)
        #expect(stored.decimalValue == amount)
        #expect(stored == Decimal128("12.5"))
        #expect(try BSONDecoder().decode(Payment.self, from: document) == Payment(amount: amount))
        let scaled: Document = ["amount": .decimal128(Decimal128("12.50")!)]
        #expect(try BSONDecoder().decode(Payment.self, from: scaled).amount == amount)
    }

    @Test("nil from encodeIfPresent omits the key; encodeNil writes null")
    func optionals() throws {
        struct ExplicitNull: Encodable {
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: BSONCodingKey.self)
                try container.encodeNil(forKey: BSONCodingKey(stringValue: "note"))
            }
        }
        struct Note: Codable, Equatable {
            var note: String?
        }
        #expect(try BSONEncoder().encode(Note(note: nil)) == [:])
        #expect(try BSONEncoder().encode(ExplicitNull()) == ["note": nil])
        #expect(try BSONDecoder().decode(Note.self, from: ["note": nil]) == Note(note: nil))
        #expect(try BSONDecoder().decode(Note.self, from: ["note": .undefined]) == Note(note: nil))
        #expect(try BSONDecoder().decode(Note.self, from: [:]) == Note(note: nil))
        #expect(try BSONDecoder().decode(Note.self, from: ["note": "x"]) == Note(note: "x"))
    }

    @Test("Unicode keys round-trip through the coders")
    func unicodeKeys() throws {
        struct Localised: Codable, Equatable {
            enum CodingKeys: String, CodingKey {
                case key = "ключ"
                case name = "名前"
            }
            var key: String
            var name: [String: Int]
        }
        let original = Localised(key: "значение", name: ["🚀": 1, "e\u{301}": 2])
        let document = try BSONEncoder().encode(original)
        #expect(document.keys == ["ключ", "名前"])
        #expect(document[path: "名前.🚀"] == 1)
        #expect(try BSONDecoder().decode(Localised.self, from: Document(bsonBytes: document.bsonBytes)) == original)
    }

    @Test("encodeValue gives any value; encode insists on a document")
    func topLevel() throws {
        #expect(try BSONEncoder().encodeValue(5) == .int64(5))
        #expect(try BSONEncoder().encodeValue("s") == "s")
        #expect(try BSONEncoder().encodeValue([1, 2]) == [1, 2])
        #expect(try BSONEncoder().encodeValue(["k": 1]) == ["k": 1])
        #expect(try BSONEncoder().encodeValue(Optional<Int>.none) == .null)
        #expect(try BSONEncoder().encode(["k": 1]) == ["k": 1])
        #expect(try BSONEncoder().encode(Document([("d", 1)])) == ["d": 1])
        #expect(try BSONEncoder().encode(BSONValue.document(["v": 1])) == ["v": 1])
        #expect(
            throws: BSONError.encodingFailed(
                path: "", reason: "a top-level Int must encode a keyed container (a document), not int64")
        ) {
            try BSONEncoder().encode(5)
        }
        #expect {
            try BSONEncoder().encode([1, 2])
        } throws: { error in
            guard case .encodingFailed(path: "", _) = error as? BSONError else { return false }
            return true
        }
        #expect(try BSONDecoder().decode(Int.self, fromValue: .int32(5)) == 5)
        #expect(try BSONDecoder().decode([String].self, fromValue: ["a", "b"]) == ["a", "b"])
        #expect(try BSONDecoder().decode(Document.self, from: ["x": 1]) == ["x": 1])
        #expect(try BSONDecoder().decode([String: Int].self, from: ["x": 1, "y": .int32(2)]) == ["x": 1, "y": 2])
    }

    @Test("classes encode their superclass under \"super\"")
    func superEncoder() throws {
        class Base: Codable {
            var id = 1
        }
        final class Derived: Base {
            var extra = "e"
            enum CodingKeys: String, CodingKey { case extra }
            override init() { super.init() }
            required init(from decoder: any Decoder) throws {
                let container = try decoder.container(keyedBy: CodingKeys.self)
                extra = try container.decode(String.self, forKey: .extra)
                try super.init(from: container.superDecoder())
            }
            override func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(extra, forKey: .extra)
                try super.encode(to: container.superEncoder())
            }
        }
        let document = try BSONEncoder().encode(Derived())
        #expect(document == ["extra": "e", "super": ["id": 1]])
        let decoded = try BSONDecoder().decode(Derived.self, from: ["extra": "f", "super": ["id": 5]])
        #expect(decoded.extra == "f" && decoded.id == 5)
    }

    @Test("userInfo reaches encode(to:) and init(from:)")
    func userInfo() throws {
        let key = try #require(CodingUserInfoKey(rawValue: "tenant"))
        struct Tenanted: Codable {
            var tenant: String
            init(tenant: String) { self.tenant = tenant }
            init(from decoder: any Decoder) throws {
                tenant = decoder.userInfo[CodingUserInfoKey(rawValue: "tenant")!] as? String ?? "none"
            }
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: BSONCodingKey.self)
                try container.encode(
                    encoder.userInfo[CodingUserInfoKey(rawValue: "tenant")!] as? String ?? "none",
                    forKey: BSONCodingKey(stringValue: "tenant"))
            }
        }
        #expect(try BSONEncoder(userInfo: [key: "acme"]).encode(Tenanted(tenant: "x")) == ["tenant": "acme"])
        #expect(try BSONDecoder(userInfo: [key: "acme"]).decode(Tenanted.self, from: [:]).tenant == "acme")
    }
}

import Foundation
import Testing

@testable import Mongo

@Suite("BSONValue")
struct BSONValueTests {
    @Test("literals build the documented cases")
    func literals() {
        let integer: BSONValue = 42
        let float: BSONValue = 1.5
        let text: BSONValue = "x"
        let flag: BSONValue = true
        let nothing: BSONValue = nil
        let array: BSONValue = [1, "a", nil]
        let document: BSONValue = ["b": 2, "a": 1]

        #expect(integer == .int64(42))
        #expect(float == .double(1.5))
        #expect(text == .string("x"))
        #expect(flag == .bool(true))
        #expect(nothing == .null)
        #expect(array == .array([.int64(1), .string("a"), .null]))
        #expect(document.documentValue?.keys == ["b", "a"])
        #expect(document.documentValue?["a"] == .int64(1))
    }

    @Test("accessors return the payload of their own case only")
    func accessors() throws {
        let date = Date(timeIntervalSince1970: 1_795_256_130.123)
        let id = try #require(ObjectId("65f1c0ffee00000000000001"))
        let decimal = try #require(Decimal128("12.50"))

        #expect(BSONValue.int32(7).int64Value == 7)
        #expect(BSONValue.int64(-7).int64Value == -7)
        #expect(BSONValue.double(7).int64Value == nil)
        #expect(BSONValue.string("7").int64Value == nil)
        #expect(BSONValue.string("s").stringValue == "s")
        #expect(BSONValue.int32(1).stringValue == nil)
        #expect(BSONValue.bool(false).boolValue == false)
        #expect(BSONValue.datetime(date).dateValue == date)
        #expect(BSONValue.decimal128(decimal).decimal128Value == decimal)
        #expect(BSONValue.objectId(id).objectIdValue == id)
        #expect(BSONValue.array([1]).arrayValue == [.int64(1)])
        #expect(BSONValue.document(["a": 1]).documentValue == ["a": 1])
        #expect(BSONValue.null.documentValue == nil)
        #expect(BSONValue.null.isNull)
        #expect(!BSONValue.undefined.isNull)
    }

    @Test(
        "typeName names each BSON type",
        arguments: [
            (BSONValue.double(1), "double"), (.string(""), "string"), (.document([:]), "document"),
            (.array([]), "array"), (.binary(BSONBinary(data: Data())), "binary"),
            (.objectId(ObjectId("000000000000000000000000")!), "objectId"), (.bool(true), "bool"),
            (.datetime(Date(timeIntervalSince1970: 0)), "datetime"), (.null, "null"), (.int32(1), "int32"),
            (.int64(1), "int64"), (.decimal128(Decimal128("1")!), "decimal128"),
            (.timestamp(BSONTimestamp(timestamp: 1, increment: 2)), "timestamp"),
            (.regex(pattern: "a", options: ""), "regex"), (.minKey, "minKey"), (.maxKey, "maxKey"),
            (.undefined, "undefined"),
        ])
    func typeNames(value: BSONValue, name: String) {
        #expect(value.typeName == name)
    }
}

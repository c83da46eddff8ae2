import Foundation
import Mongo
import MongoTesting
import Testing

/// Values survive a trip through the server unchanged (the pure BSON tests live in ../BSON).
@Suite("BSON through the live server")
struct LiveBSONRoundTripTests {
    struct Everything: Codable, Sendable, Equatable {
        struct Line: Codable, Sendable, Equatable {
            var sku: String
            var quantity: Int32
            var unitPrice: Decimal
        }
        var _id: ObjectId
        var name: String
        var emoji: String
        var flag: Bool
        var smallest: Int64
        var largest: Int64
        var ratio: Double
        var total: Decimal128
        var hugeAmount: Decimal
        var placedAt: Date
        var reference: UUID
        var blob: Data
        var lines: [Line]
        var labels: [String: String]
        var note: String?
        var nested: [[Int]]
    }

    @Test("a document of every supported type round-trips through the server exactly")
    func everythingRoundTrips() async throws {
        try await TestDeployment.withDatabase { database in
            let collection = database.collection("everything", as: Everything.self)
            let value = Everything(
                _id: ObjectId(), name: "Ada Lovelace", emoji: "🧾 ключ 名前", flag: true,
                smallest: Int64.min, largest: Int64.max, ratio: 0.25,
                total: Decimal128("0.1")!, hugeAmount: Decimal(string: "12345678901234567890.12")!,
                placedAt: Date(timeIntervalSince1970: 1_795_290_930.123),
                reference: UUID(), blob: Data([0, 1, 2, 255]),
                lines: [Everything.Line(sku: "SKU-1", quantity: 2, unitPrice: Decimal(string: "12.50")!)],
                labels: ["ключ": "значение", "名前": "値"], note: nil, nested: [[1, 2], [], [3]])
            try await collection.insertOne(value)
            let stored = try #require(try await collection.findOne(["_id": .objectId(value._id)]))
            #expect(stored == value)
            #expect(stored.hugeAmount.description == "12345678901234567890.12")

            let raw = try #require(try await database.collection("everything").findOne([:]))
            #expect(raw["total"]?.decimal128Value?.description == "0.1")
            #expect(raw["hugeAmount"]?.decimal128Value != nil, "Decimal is stored as decimal128, never a double")
            #expect(raw["note"] == nil, "an absent optional is not written")
            #expect(raw["placedAt"]?.dateValue == Date(timeIntervalSince1970: 1_795_290_930.123))
        }
    }
}

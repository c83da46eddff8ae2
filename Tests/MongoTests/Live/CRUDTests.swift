import Foundation
import Mongo
import MongoTesting
import Testing

/// Create, read, update and delete through libmongoc against the live test deployment.
@Suite("CRUD against the live server")
struct CRUDTests {
    struct Item: Codable, Sendable, Equatable {
        var _id: String
        var name: String
        var quantity: Int
        var price: Decimal128
        var tags: [String]
    }

    @Test("insertOne, findOne, updateOne, replaceOne, deleteOne round trip")
    func singleDocumentRoundTrip() async throws {
        try await TestDeployment.withDatabase { database in
            let items = database.collection("items", as: Item.self)
            let item = Item(_id: "a", name: "Widget", quantity: 3, price: Decimal128("12.50")!, tags: ["x", "y"])
            let inserted = try await items.insertOne(item)
            #expect(inserted.insertedId == .string("a"))
            #expect(try await items.findOne(["_id": "a"]) == item)

            let updated = try await items.updateOne(filter: ["_id": "a"], update: ["$inc": ["quantity": 2]])
            #expect(updated.matchedCount == 1)
            #expect(updated.modifiedCount == 1)
            #expect(try await items.findOne(["_id": "a"])?.quantity == 5)

            var replacement = item
            replacement.name = "Gadget"
            let replaced = try await items.replaceOne(filter: ["_id": "a"], replacement: replacement)
            #expect(replaced.modifiedCount == 1)
            #expect(try await items.findOne(["_id": "a"])?.name == "Gadget")

            let deleted = try await items.deleteOne(filter: ["_id": "a"])
            #expect(deleted.deletedCount == 1)
            #expect(try await items.findOne(["_id": "a"]) == nil)
        }
    }

    @Test("insertMany, find with filter, sort, skip, limit and projection, count, updateMany, deleteMany")
    func manyDocuments() async throws {
        try await TestDeployment.withDatabase { database in
            let items = database.collection("items", as: Item.self)
            let all = (0..<25).map {
                Item(
                    _id: String(format: "i%02d", $0), name: "n\($0)", quantity: $0, price: Decimal128("\($0).99")!,
                    tags: $0 % 2 == 0 ? ["even"] : ["odd"])
            }
            let result = try await items.insertMany(all)
            #expect(result.insertedIds.count == 25)
            #expect(try await items.countDocuments() == 25)
            #expect(try await items.countDocuments(["tags": "even"]) == 13)

            let page = try await items.find(
                ["quantity": ["$gte": 10]],
                options: FindOptions(sort: ["quantity": -1], limit: 5, skip: 2)
            ).toArray()
            #expect(page.map(\.quantity) == [22, 21, 20, 19, 18])

            struct NameOnly: Decodable, Sendable { var name: String }
            let names = try await items.find(
                ["quantity": ["$lt": 3]], options: FindOptions(sort: ["_id": 1], projection: ["name": 1, "_id": 0]),
                as: NameOnly.self
            ).toArray()
            #expect(names.map(\.name) == ["n0", "n1", "n2"])

            let raised = try await items.updateMany(filter: ["tags": "odd"], update: ["$inc": ["quantity": 100]])
            #expect(raised.matchedCount == 12)
            #expect(try await items.countDocuments(["quantity": ["$gte": 100]]) == 12)

            let removed = try await items.deleteMany(filter: ["tags": "even"])
            #expect(removed.deletedCount == 13)
            #expect(try await items.countDocuments() == 12)
        }
    }

    @Test("a cursor reads more documents than one batch holds, in order")
    func cursorAcrossBatches() async throws {
        try await TestDeployment.withDatabase { database in
            let numbers = database.collection("numbers")
            try await numbers.insertMany((0..<350).map { ["_id": .int64(Int64($0))] })
            var seen: [Int64] = []
            for try await document in try await numbers.find([:], options: FindOptions(sort: ["_id": 1], batchSize: 40))
            {
                seen.append(document["_id"]?.int64Value ?? -1)
            }
            #expect(seen == (0..<350).map(Int64.init))
        }
    }

    @Test("a unique index violation is a typed duplicate-key error naming the key")
    func duplicateKey() async throws {
        try await TestDeployment.withDatabase { database in
            let users = database.collection("users")
            try await users.createIndexes([IndexModel(keys: ["email": 1], unique: true)])
            try await users.insertOne(["email": "ada@example.com"])
            let error = try await #require(throws: MongoError.self) {
                try await users.insertOne(["email": "ada@example.com"])
            }
            #expect(error.kind == .duplicateKey)
            #expect(error.code == 11000)
            #expect(error.keyValue?["email"] == .string("ada@example.com"))
            #expect(try await users.countDocuments() == 1)
        }
    }

    @Test("upserts insert once, then update")
    func upserts() async throws {
        try await TestDeployment.withDatabase { database in
            let counters = database.collection("counters")
            let first = try await counters.updateOne(
                filter: ["_id": "c"], update: ["$inc": ["n": 1]], options: UpdateOptions(upsert: true))
            #expect(first.upsertedId == .string("c"))
            let second = try await counters.findOneAndUpdate(
                filter: ["_id": "c"], update: ["$inc": ["n": 1]],
                options: FindOneAndUpdateOptions(returnDocument: .after, upsert: true))
            #expect(second?["n"]?.int64Value == 2)
            let before = try await counters.findOneAndUpdate(
                filter: ["_id": "c"], update: ["$inc": ["n": 1]],
                options: FindOneAndUpdateOptions(returnDocument: .before))
            #expect(before?["n"]?.int64Value == 2)
        }
    }

    @Test("aggregate runs a pipeline")
    func aggregate() async throws {
        try await TestDeployment.withDatabase { database in
            let sales = database.collection("sales")
            try await sales.insertMany([
                ["sku": "a", "amount": .decimal128(Decimal128("1.10")!)],
                ["sku": "a", "amount": .decimal128(Decimal128("2.20")!)],
                ["sku": "b", "amount": .decimal128(Decimal128("5.00")!)],
            ])
            let totals = try await sales.aggregate([
                ["$group": ["_id": "$sku", "total": ["$sum": "$amount"], "count": ["$sum": 1]]],
                ["$sort": ["_id": 1]],
            ]).toArray()
            #expect(totals.count == 2)
            #expect(totals[0]["_id"] == "a")
            #expect(totals[0]["total"]?.decimal128Value?.decimalValue == Decimal(string: "3.30"))
            #expect(totals[1]["count"]?.int64Value == 1)
        }
    }

    @Test("bulk writes report each failed write by index and apply the rest when unordered")
    func bulkWrite() async throws {
        try await TestDeployment.withDatabase { database in
            let docs = database.collection("docs")
            try await docs.insertOne(["_id": "x", "v": 1])
            let failure = try await #require(throws: BulkWriteFailure.self) {
                try await docs.bulkWrite(
                    [
                        .insertOne(["_id": "y", "v": 1]),
                        .insertOne(["_id": "x", "v": 2]),
                        .updateOne(filter: ["_id": "x"], update: ["$set": ["v": 10]]),
                        .updateOne(filter: ["_id": "x", "v": 999], update: ["$set": ["v": 0]], upsert: true),
                        .deleteOne(filter: ["_id": "y"]),
                    ], ordered: false)
            }
            #expect(failure.writeErrors.map(\.index) == [1, 3])
            #expect(failure.writeErrors.allSatisfy { $0.kind == .duplicateKey })
            #expect(failure.result.insertedCount == 1)
            #expect(failure.result.modifiedCount == 1)
            #expect(failure.result.deletedCount == 1)
            #expect(try await docs.findOne(["_id": "x"])?["v"]?.int64Value == 10)
            #expect(try await docs.countDocuments() == 1)

            let result = try await docs.bulkWrite([
                .updateOne(filter: ["_id": "z"], update: ["$set": ["v": 3]], upsert: true),
                .updateMany(filter: [:], update: ["$inc": ["v": 1]]),
            ])
            #expect(result.upsertedIds[0] == .string("z"))
            #expect(result.matchedCount == 2)
        }
    }

    @Test("indexes: compound, TTL and partial are created and listed")
    func indexes() async throws {
        try await TestDeployment.withDatabase { database in
            let events = database.collection("events")
            let names = try await events.createIndexes([
                IndexModel(keys: ["saga": 1, "seq": 1], unique: true),
                IndexModel(keys: ["expiresAt": 1], expireAfter: .seconds(3600)),
                IndexModel(
                    keys: ["pending": 1], name: "pending_only",
                    partialFilterExpression: ["pending": ["$exists": true]]),
            ])
            #expect(names == ["saga_1_seq_1", "expiresAt_1", "pending_only"])
            let listed = try await database.runCommand(["listIndexes": "events"])
            let indexes = listed[path: "cursor.firstBatch"]?.arrayValue?.compactMap(\.documentValue) ?? []
            let byName = Dictionary(
                uniqueKeysWithValues: indexes.compactMap { index in
                    index["name"]?.stringValue.map { ($0, index) }
                })
            #expect(byName["saga_1_seq_1"]?["unique"] == true)
            #expect(byName["expiresAt_1"]?["expireAfterSeconds"]?.int64Value == 3600)
            #expect(byName["pending_only"] != nil)
        }
    }

    @Test("write and read concerns are accepted by the server")
    func concerns() async throws {
        try await TestDeployment.withDatabase { database in
            let durable = database.collection("durable")
                .withWriteConcern(.majority)
                .withReadConcern(.majority)
            try await durable.insertOne(["_id": 1])
            #expect(try await durable.countDocuments() == 1)
            let primaryJournaled = database.collection("durable").withWriteConcern(
                WriteConcern(.members(1), journal: true))
            try await primaryJournaled.insertOne(["_id": 2])
            #expect(try await durable.findOne(["_id": 2]) != nil)
        }
    }

    @Test("a document that does not fit the type is a BSON error naming the field")
    func decodingErrorNamesField() async throws {
        try await TestDeployment.withDatabase { database in
            let raw = database.collection("items")
            try await raw.insertOne([
                "_id": "bad", "name": "x", "quantity": "three", "price": .decimal128(Decimal128("1")!), "tags": [],
            ])
            let typed = raw.withType(Item.self)
            let error = try await #require(throws: MongoError.self) { try await typed.findOne(["_id": "bad"]) }
            #expect(error.kind == .bson)
            #expect(error.bsonError?.path == "quantity")
        }
    }
}

import Mongo
import MongoTesting
import Testing

/// Look-ups by `_id` of concurrent callers share finds; each caller gets the documents of its own ids.
@Suite("Look-up batcher against the live server")
struct LookupBatcherTests {
    struct Item: Codable, Sendable, Equatable {
        var _id: String
        var value: Int
    }

    @Test("forty concurrent look-ups share finds; each gets exactly its own ids' documents, unknown ids absent")
    func sharedFinds() async throws {
        try await TestDeployment.withDatabase { database in
            let items = database.collection("items", as: Item.self)
            try await items.insertMany((0..<30).map { Item(_id: "i-\($0)", value: $0) })
            let batcher = LookupBatcher(items, maxInFlight: 1) { .string($0._id) }
            let answers = try await withThrowingTaskGroup(of: (Int, [BSONValue: Item]).self) { group in
                for caller in 0..<40 {
                    group.addTask {
                        let ids: Set<BSONValue> = [
                            .string("i-\(caller % 30)"), .string("i-\((caller + 7) % 30)"), "missing",
                        ]
                        return (caller, try await batcher.documents(ids: ids))
                    }
                }
                return try await group.reduce(into: [Int: [BSONValue: Item]]()) { $0[$1.0] = $1.1 }
            }
            for caller in 0..<40 {
                let expected = Set([caller % 30, (caller + 7) % 30])
                let got = answers[caller] ?? [:]
                #expect(Set(got.values.map(\.value)) == expected, "caller \(caller) got \(got.keys)")
                #expect(got.allSatisfy { $0.key == .string($0.value._id) })
            }
            let finds = await batcher.finds
            #expect(finds < 40, "40 concurrent look-ups took \(finds) finds")
        }
    }
}

import Mongo
import MongoTesting
import Testing

/// Change streams and resuming them from a token.
@Suite("Change streams against the live server")
struct ChangeStreamTests {
    @Test("a change stream yields inserts and updates in order; one resumed from a token yields only later changes")
    func ordersAndResumes() async throws {
        try await TestDeployment.withDatabase { database in
            let orders = database.collection("orders")
            try await orders.insertOne(["_id": "warm"])
            let stream = try await orders.watch(
                [["$match": ["operationType": ["$in": ["insert", "update"]]]]],
                options: ChangeStreamOptions(maxAwaitTime: .milliseconds(200)))

            try await orders.insertOne(["_id": "o1", "n": 1])
            try await orders.updateOne(filter: ["_id": "o1"], update: ["$set": ["n": 2]])
            try await orders.insertOne(["_id": "o2", "n": 1])

            var seen: [(String, String)] = []
            var tokens: [Document] = []
            for _ in 0..<3 {
                let change = try #require(try await stream.next())
                seen.append((change.operationType, change.documentKey?["_id"]?.stringValue ?? "?"))
                tokens.append(change.resumeToken)
            }
            #expect(seen.map(\.0) == ["insert", "update", "insert"])
            #expect(seen.map(\.1) == ["o1", "o1", "o2"])
            let saved = try #require(stream.resumeToken)
            stream.close()

            try await orders.updateOne(filter: ["_id": "o2"], update: ["$set": ["n": 5]])

            let resumed = try await orders.watch(
                options: ChangeStreamOptions(
                    resumeAfter: saved, fullDocument: .updateLookup, maxAwaitTime: .milliseconds(200)))
            let next = try #require(try await resumed.next())
            #expect(next.operationType == "update")
            #expect(next.documentKey?["_id"] == "o2")
            #expect(next.fullDocument?["n"]?.int64Value == 5)
            resumed.close()

            let fromSecond = try await orders.watch(
                options: ChangeStreamOptions(resumeAfter: tokens[1], maxAwaitTime: .milliseconds(200)))
            let third = try #require(try await fromSecond.next())
            #expect(third.operationType == "insert")
            #expect(third.documentKey?["_id"] == "o2")
            fromSecond.close()
        }
    }

    @Test("iteration ends when the task is cancelled")
    func cancellationEnds() async throws {
        try await TestDeployment.withDatabase { database in
            let quiet = database.collection("quiet")
            try await quiet.insertOne(["_id": 0])
            let stream = try await quiet.watch(options: ChangeStreamOptions(maxAwaitTime: .milliseconds(100)))
            let reader = Task { () -> Int in
                var count = 0
                for try await _ in stream { count += 1 }
                return count
            }
            try await Task.sleep(for: .milliseconds(300))
            reader.cancel()
            #expect(try await reader.value == 0)
            stream.close()
        }
    }
}

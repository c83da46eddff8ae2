import Mongo
import MongoTesting
import Testing

/// Writes to several collections in one command, in order, and group commit of such ordered groups.
@Suite("Bulk writes across collections against the live server")
struct WriteGroupBatcherTests {
    @Test("the deployment takes writes across collections")
    func supported() async throws {
        try await TestDeployment.withDatabase { database in
            let supported = try await database.client.supportsBulkWriteAcrossCollections()
            #expect(supported)
        }
    }

    @Test("one ordered bulk write reaches two databases and stops at the first refused write")
    func orderedAcrossDatabases() async throws {
        try await TestDeployment.withDatabase { database in
            let other = database.client.database(database.name + "_other")
            defer { Task { try? await other.drop() } }
            let items = database.collection("items", as: Document.self)
            let events = other.collection("events", as: Document.self)
            try await items.insertOne(["_id": "a", "n": 1])

            let applied = try await database.client.bulkWrite(
                [
                    NamespacedWrite(.updateOne(filter: ["_id": "a", "n": 1], update: ["$inc": ["n": 1]]), in: items),
                    NamespacedWrite(
                        .updateOne(filter: ["_id": "b"], update: ["$set": ["n": 7]], upsert: true), in: items),
                    NamespacedWrite(.insertOne(["_id": "e1"]), in: events),
                ], writeConcern: .majority)
            #expect(applied.modifiedCount == 1)
            #expect(applied.upsertedCount == 1)
            #expect(applied.insertedIds[2] == "e1")

            await #expect {
                try await database.client.bulkWrite(
                    [
                        NamespacedWrite(.insertOne(["_id": "e2"]), in: events),
                        NamespacedWrite(
                            .updateOne(filter: ["_id": "a", "n": 1], update: ["$inc": ["n": 1]], upsert: true),
                            in: items),
                        NamespacedWrite(.insertOne(["_id": "e3"]), in: events),
                    ], writeConcern: .majority)
            } throws: { error in
                guard let failure = error as? BulkWriteFailure else { return false }
                return failure.writeErrors.map(\.index) == [1] && failure.writeErrors.first?.kind == .duplicateKey
                    && failure.result.insertedIds.keys.sorted() == [0]
            }
            let written = try await events.find([:]).toArray().compactMap { $0["_id"]?.stringValue }
            #expect(Set(written) == ["e1", "e2"], "the write after the refused one was not made")
            #expect(try await items.findOne(["_id": "a"])?["n"]?.int64Value == 2)
        }
    }

    @Test(
        "concurrent groups share ordered bulk writes; a refused write stops its own group only, and the groups after it go out again"
    )
    func groups() async throws {
        try await TestDeployment.withDatabase { database in
            let items = database.collection("items", as: Document.self)
            let log = database.collection("log", as: Document.self)
            try await items.insertMany((0..<30).map { ["_id": .string("i-\($0)"), "state": "held"] })
            let batcher = WriteGroupBatcher(client: database.client, writeConcern: .majority, maxInFlight: 1)

            // Each group moves one item and then logs it; every third group's move is refused (a stale state).
            let outcomes = try await withThrowingTaskGroup(of: (Int, WriteGroupBatcher.Outcome).self) { group in
                for index in 0..<30 {
                    group.addTask {
                        let expected = index % 3 == 0 ? "released" : "held"
                        let move = NamespacedWrite(
                            .updateOne(
                                filter: ["_id": .string("i-\(index)"), "state": .string(expected)],
                                update: ["$set": ["state": "committed"]], upsert: true), in: items)
                        let entry = NamespacedWrite(.insertOne(["_id": .string("log-\(index)")]), in: log)
                        return (index, try await batcher.submit([move, entry]))
                    }
                }
                return try await group.reduce(into: [Int: WriteGroupBatcher.Outcome]()) { $0[$1.0] = $1.1 }
            }

            for (index, outcome) in outcomes {
                switch outcome {
                case .applied:
                    #expect(index % 3 != 0, "group \(index) applied")
                case .refused(let error):
                    #expect(index % 3 == 0, "group \(index) refused")
                    #expect(error.index == 0 && error.kind == .duplicateKey)
                }
            }
            let logged = try await log.find([:]).toArray().compactMap { $0["_id"]?.stringValue }
            #expect(Set(logged) == Set((0..<30).filter { $0 % 3 != 0 }.map { "log-\($0)" }))
            #expect(try await items.countDocuments(["state": "committed"]) == 20)
            let writes = await batcher.writes
            #expect(writes < 30, "30 concurrent groups went out in \(writes) bulk writes")
        }
    }

    @Test(
        "a write that fails for what it asks is refused like a failed condition, and the groups after it go out again"
    )
    func otherFailures() async throws {
        try await TestDeployment.withDatabase { database in
            let items = database.collection("items", as: Document.self)
            try await items.insertOne(["_id": "text", "n": "not a number"])
            let batcher = WriteGroupBatcher(client: database.client, writeConcern: .majority, maxInFlight: 1)
            // A long first bulk write keeps the batcher busy, so the next three groups go out together, in order.
            let long = (0..<3_000).map { NamespacedWrite(.insertOne(["_id": .string("long-\($0)")]), in: items) }
            let first = Task { try await batcher.submit(long) }
            try await Task.sleep(for: .milliseconds(2))
            var groups: [Task<WriteGroupBatcher.Outcome, any Error>] = []
            for write in [
                NamespacedWrite(.insertOne(["_id": "before"]), in: items),
                NamespacedWrite(.updateOne(filter: ["_id": "text"], update: ["$inc": ["n": 1]]), in: items),
                NamespacedWrite(.insertOne(["_id": "after"]), in: items),
            ] {
                groups.append(Task { try await batcher.submit([write]) })
                try await Task.sleep(for: .milliseconds(3))
            }
            guard case .applied = try await first.value else { throw MongoError(.driver, message: "long write") }

            guard case .applied = try await groups[0].value else {
                Issue.record("the group before the failure applied")
                return
            }
            guard case .refused(let error) = try await groups[1].value else {
                Issue.record("the failing group is refused")
                return
            }
            #expect(error.index == 0 && error.code == 14, "TypeMismatch, at its first write: \(error)")
            guard case .applied = try await groups[2].value else {
                Issue.record("the group after it went out again and applied")
                return
            }
            #expect(await batcher.writes == 3, "one bulk write stopped at the failure, one more for the rest")
            #expect(try await items.countDocuments(["_id": "after"]) == 1)
        }
    }
}

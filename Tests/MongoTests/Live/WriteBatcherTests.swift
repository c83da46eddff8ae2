import Mongo
import MongoTesting
import Testing

/// Group commit of single writes: concurrent callers share bulk writes and each learns its own outcome.
@Suite("Write batcher against the live server")
struct WriteBatcherTests {
    @Test("concurrent writes share bulk writes; each caller gets its own outcome")
    func outcomesPerWrite() async throws {
        try await TestDeployment.withDatabase { database in
            let items = database.collection("items", as: Document.self)
            try await items.insertMany((0..<20).map { ["_id": .string("held-\($0)"), "state": "held"] })
            try await items.insertOne(["_id": "taken"])
            let batcher = WriteBatcher(items, maxInFlight: 1)

            enum Expected: Sendable { case inserted, duplicate, matched, missed, created }
            let outcomes = try await withThrowingTaskGroup(of: (Expected, Bool).self) { group in
                for index in 0..<20 {
                    group.addTask {
                        let filter: Document = ["_id": .string("held-\(index)"), "state": "held"]
                        let outcome = try await batcher.compareAndSet(
                            filter: filter, update: ["$set": ["state": "committed"]])
                        return (.matched, outcome == .applied)
                    }
                    group.addTask {
                        let filter: Document = ["_id": .string("held-\(index)"), "state": "released"]
                        let outcome = try await batcher.compareAndSet(
                            filter: filter, update: ["$set": ["state": "gone"]])
                        return (.missed, outcome == .conditionFailed)
                    }
                    group.addTask {
                        let outcome = try await batcher.submit(.insertOne(["_id": .string("new-\(index)")]))
                        guard case .applied(nil) = outcome else { return (.inserted, false) }
                        return (.inserted, true)
                    }
                }
                group.addTask {
                    let outcome = try await batcher.submit(.insertOne(["_id": "taken"]))
                    guard case .refused(let error) = outcome else { return (.duplicate, false) }
                    return (.duplicate, error.kind == .duplicateKey)
                }
                group.addTask {
                    let outcome = try await batcher.compareAndSet(
                        filter: ["_id": "absent", "state": "held"], update: ["$set": ["state": "committed"]])
                    return (.created, outcome == .inserted("absent"))
                }
                return try await group.reduce(into: [(Expected, Bool)]()) { $0.append($1) }
            }

            #expect(outcomes.count == 62)
            let wrong = outcomes.filter { !$0.1 }.map(\.0)
            #expect(wrong.isEmpty, "\(wrong)")
            let committed = try await items.countDocuments(["state": "committed"])
            #expect(committed == 21, "20 matched compare-and-sets and the document the miss on 'absent' created")
            let gone = try await items.countDocuments(["state": "gone"])
            #expect(gone == 0)
            let inserted = try await items.countDocuments(["_id": ["$regex": "^new-"]])
            #expect(inserted == 20)
            let writes = await batcher.writes
            #expect(writes < 62, "62 concurrent writes went out in \(writes) bulk writes")
        }
    }

    @Test("a write-concern error fails every write that applied; a refusal stays a refusal")
    func writeConcernError() async throws {
        try await FailCommand.withIsolatedClient { client, faults in
            let database = client.database(TestDeployment.uniqueName("batcher_failover"))
            let items = database.collection("items", as: Document.self)
            try await items.insertOne(["_id": "taken"])
            let batcher = WriteBatcher(items)
            try await faults.writeConcernError(on: ["insert"], times: 2)
            await #expect(throws: MongoError.self) {
                _ = try await batcher.submit(.insertOne(["_id": "fresh"]))
            }
            let fresh = try await items.findOne(["_id": "fresh"])
            #expect(fresh != nil, "applied on the primary, yet not reported durable")
            let refusal = try await batcher.submit(.insertOne(["_id": "taken"]))
            guard case .refused(let error) = refusal else {
                Issue.record("a duplicate was not refused: \(refusal)")
                return
            }
            #expect(error.kind == .duplicateKey)
            try await database.drop()
        }
    }
}

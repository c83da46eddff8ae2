import Mongo
import MongoTesting
import Testing

/// Multi-document transactions through sessions.
@Suite("Transactions against the live server")
struct TransactionTests {
    @Test("a transaction's writes are invisible outside it before commit, and visible after")
    func isolationUntilCommit() async throws {
        try await TestDeployment.withDatabase { database in
            let accounts = database.collection("accounts")
            try await accounts.insertOne(["_id": "seed"])
            let client = database.client
            let session = try await client.startSession()
            defer { session.end() }
            try await session.startTransaction()
            try await accounts.insertOne(["_id": "a", "balance": 10], session: session)
            try await accounts.updateOne(filter: ["_id": "seed"], update: ["$set": ["touched": true]], session: session)

            #expect(try await accounts.countDocuments(["_id": "a"], session: session) == 1, "visible inside")
            #expect(try await accounts.findOne(["_id": "a"]) == nil, "invisible outside before commit")
            #expect(try await accounts.findOne(["_id": "seed"])?["touched"] == nil)

            try await session.commitTransaction()
            #expect(try await accounts.findOne(["_id": "a"])?["balance"]?.int64Value == 10)
            #expect(try await accounts.findOne(["_id": "seed"])?["touched"] == true)
        }
    }

    @Test("an aborted transaction's writes are gone")
    func abortDiscards() async throws {
        try await TestDeployment.withDatabase { database in
            let accounts = database.collection("accounts")
            try await accounts.insertOne(["_id": "seed"])
            let session = try await database.client.startSession()
            defer { session.end() }
            try await session.startTransaction()
            try await accounts.insertOne(["_id": "b"], session: session)
            try await session.abortTransaction()
            #expect(try await accounts.findOne(["_id": "b"]) == nil)
            #expect(try await accounts.countDocuments() == 1)
        }
    }

    @Test("withTransaction rethrows the body's error and leaves nothing behind")
    func bodyErrorAborts() async throws {
        struct Refused: Error {}
        try await TestDeployment.withDatabase { database in
            let accounts = database.collection("accounts")
            try await accounts.insertOne(["_id": "seed"])
            await #expect(throws: Refused.self) {
                try await database.client.withTransaction { session in
                    try await accounts.insertOne(["_id": "c"], session: session)
                    throw Refused()
                }
            }
            #expect(try await accounts.findOne(["_id": "c"]) == nil)
        }
    }

    @Test("conflicting transactions are retried until each has applied exactly once")
    func conflictsRetry() async throws {
        try await TestDeployment.withDatabase { database in
            let counters = database.collection("counters")
            try await counters.insertOne(["_id": "n", "value": 0])
            let ledger = database.collection("ledger")
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<12 {
                    group.addTask {
                        try await database.client.withTransaction { session in
                            try await counters.updateOne(
                                filter: ["_id": "n"], update: ["$inc": ["value": 1]], session: session)
                            try await ledger.insertOne(["_id": .int64(Int64(index))], session: session)
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await counters.findOne(["_id": "n"])?["value"]?.int64Value == 12)
            #expect(try await ledger.countDocuments() == 12)
        }
    }

    @Test("a transaction commits even while every shared thread waits on a lock it holds")
    func commitsWhenSharedThreadsAreBlocked() async throws {
        let uri = try TestDeployment.uri()
        let client = try MongoClient(uri, options: MongoClientOptions(threads: 2, maxSessions: 2, maxConnections: 8))
        let database = client.database(TestDeployment.uniqueName("starve"))
        let counters = database.collection("counters")
        try await counters.insertOne(["_id": "x", "n": 0])

        let session = try await client.startSession()
        try await session.startTransaction()
        try await counters.updateOne(filter: ["_id": "x"], update: ["$inc": ["n": 100]], session: session)

        // Plain writes of the same document wait on the transaction's lock, filling both shared threads.
        let blocked = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        _ = try? await counters.updateOne(filter: ["_id": "x"], update: ["$inc": ["n": 1]])
                    }
                }
                try await group.waitForAll()
            }
        }
        while client.diagnostics.inFlight < 4 { await Task.yield() }
        try await Task.sleep(for: .milliseconds(200))

        let clock = ContinuousClock()
        let started = clock.now
        try await session.commitTransaction()
        // Behind the blocked writes it would wait until they gave up; a loaded machine may take a few seconds anyway.
        #expect(clock.now - started < .seconds(15), "the commit ran on a session thread, not behind the blocked writes")
        session.end()
        try await blocked.value
        let value = try await counters.findOne(["_id": "x"])?["n"]?.int64Value
        #expect(value.map { $0 >= 100 } == true)
        try await database.drop()
        await client.shutdown()
    }
}

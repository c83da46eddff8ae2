import Mongo
import MongoTesting
import NIOCore
import NIOPosix
import Testing

/// Many operations at once: atomic conditional updates, the thread pool, and shutdown.
@Suite("Concurrency against the live server")
struct ConcurrencyTests {
    @Test("a conditional findOneAndUpdate under 50 concurrent tasks decrements to exactly zero, never below")
    func conditionalDecrement() async throws {
        try await TestDeployment.withDatabase { database in
            let counters = database.collection("counters")
            try await counters.insertOne(["_id": "stock", "available": 30])
            let successes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<50 {
                    group.addTask {
                        let taken = try await counters.findOneAndUpdate(
                            filter: ["_id": "stock", "available": ["$gte": 1]],
                            update: ["$inc": ["available": -1]],
                            options: FindOneAndUpdateOptions(returnDocument: .after))
                        if let left = taken?["available"]?.int64Value { #expect(left >= 0) }
                        return taken != nil
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(successes == 30)
            #expect(try await counters.findOne(["_id": "stock"])?["available"]?.int64Value == 0)
        }
    }

    @Test("200 operations in flight at once all complete, and none ran on an event loop")
    func twoHundredInFlight() async throws {
        let client = try MongoClient(
            try TestDeployment.uri(), options: MongoClientOptions(threads: 8, maxConnections: 16))
        let database = client.database(TestDeployment.uniqueName("inflight"))
        let items = database.collection("items")
        let eventLoops = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let before = client.diagnostics

        // Start every operation from an event-loop thread, as an HTTP handler would.
        let futures = (0..<200).map { index in
            let loop = eventLoops.next()
            return loop.flatSubmit {
                let promise = loop.makePromise(of: Void.self)
                promise.completeWithTask {
                    try await items.insertOne(["_id": .int64(Int64(index)), "on": "event loop"])
                }
                return promise.futureResult
            }
        }
        for future in futures { try await future.get() }

        #expect(try await items.countDocuments() == 200)
        let after = client.diagnostics
        #expect(after.blockingCalls - before.blockingCalls >= 200)
        #expect(after.callsOnEventLoop == 0)
        #expect(after.callsOffPool == 0)
        #expect(after.peakInFlight > 16, "operations should queue beyond the 16 connections without blocking threads")
        try await database.drop()
        await client.shutdown()
        try await eventLoops.shutdownGracefully()
    }

    @Test("shutdown waits for operations in flight, then refuses new ones")
    func shutdownDrains() async throws {
        let uri = try TestDeployment.uri()
        let client = try MongoClient(uri, options: MongoClientOptions(threads: 2, maxConnections: 1))
        let database = client.database(TestDeployment.uniqueName("drain"))
        let items = database.collection("items")
        try await items.insertMany([["_id": "a"], ["_id": "b"], ["_id": "c"]])

        // An open cursor holds the only connection, so the inserts below queue behind it.
        let cursor = try await items.find([:], options: FindOptions(batchSize: 1))
        var iterator = cursor.makeAsyncIterator()
        _ = try await iterator.next()
        let inserts = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<40 {
                    group.addTask { try await items.insertOne(["_id": .int64(Int64(index))]) }
                }
                try await group.waitForAll()
            }
        }
        while client.diagnostics.inFlight < 40 { await Task.yield() }

        let shutdown = Task { await client.shutdown() }
        while !client.isShutDown { await Task.yield() }
        let refused = try await #require(throws: MongoError.self) { try await items.insertOne(["_id": "late"]) }
        #expect(refused.kind == .shutdown)

        // Let the queued inserts through: shutdown waits for every one of them.
        while try await iterator.next() != nil {}
        try await inserts.value
        await shutdown.value
        #expect(client.diagnostics.inFlight == 0)

        let verifier = try MongoClient(uri)
        #expect(try await verifier.database(database.name).collection("items").countDocuments() == 43)
        try await verifier.database(database.name).drop()
        await verifier.shutdown()
    }

    @Test("a server that is not there fails with a typed error within the server-selection timeout")
    func absentServer() async throws {
        let closed = try ClosedPort()
        defer { withExtendedLifetime(closed) {} }
        let client = try MongoClient(
            "mongodb://127.0.0.1:\(closed.port)/",
            options: MongoClientOptions(serverSelectionTimeout: .milliseconds(600), connectTimeout: .milliseconds(300)))
        let clock = ContinuousClock()
        let started = clock.now
        let error = try await #require(throws: MongoError.self) {
            try await client.database("x").collection("y").insertOne(["a": 1])
        }
        let elapsed = clock.now - started
        #expect(error.kind == .serverSelection)
        #expect(elapsed < .seconds(5), "took \(elapsed), far beyond the 600 ms selection timeout")
        await client.shutdown()
    }

    @Test("finds that fail on an unreachable server give their pooled clients back")
    func failedFindsReturnTheirClients() async throws {
        let closed = try ClosedPort()
        defer { withExtendedLifetime(closed) {} }
        let client = try MongoClient(
            "mongodb://127.0.0.1:\(closed.port)/",
            options: MongoClientOptions(
                maxConnections: 2, serverSelectionTimeout: .milliseconds(200), connectTimeout: .milliseconds(200)))
        let collection = client.database("x").collection("y")
        // With two connections, a third failed find would wait forever for a client the first two kept.
        let failures = try await withThrowingTaskGroup(of: Int?.self) { group in
            group.addTask {
                var failures = 0
                for _ in 0..<6 {
                    do {
                        _ = try await collection.find([:]).toArray()
                    } catch let error as MongoError where error.kind == .serverSelection {
                        failures += 1
                    }
                    do {
                        _ = try await collection.aggregate([["$match": [:]]]).toArray()
                    } catch let error as MongoError where error.kind == .serverSelection {
                        failures += 1
                    }
                }
                return failures
            }
            group.addTask {
                try await Task.sleep(for: .seconds(30))
                return nil
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
        #expect(failures == 12, "every find and aggregate failed at once instead of waiting for a client")
        await client.shutdown()
    }

    @Test("a malformed URI is an invalid-argument error")
    func malformedURI() throws {
        let error = try #require(throws: MongoError.self) { try MongoClient("mongo://nowhere") }
        #expect(error.kind == .invalidArgument)
    }
}

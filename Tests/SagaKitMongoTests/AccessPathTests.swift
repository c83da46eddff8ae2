import Foundation
import Mongo
import MongoTesting
import SagaKit
import SagaKitTesting
import Testing

@testable import SagaKitMongo

/// The history store's hot paths are served by indexes on the server the tests run against (the local server's
/// planner ignores partial indexes and sorts after fetching; a real `mongod` does better), so their cost does not
/// grow with the sagas a deployment ever ran.
@Suite("History store access paths")
struct AccessPathTests {
    static func prepared() async throws -> (MongoHistoryStore, MongoDatabase) {
        let name = TestDeployment.uniqueName("paths")
        let client = try TestDeployment.client()
        let store = MongoHistoryStore(client: client, databaseName: name)
        try await store.prepare()
        let database = client.database(name)
        try await database.collection("sagas").insertOne(["_id": "s-1", "status": "RUNNING"])
        return (store, database)
    }

    @Test("taking a lease is one findAndModify served by the _id index")
    func leaseAcquisition() async throws {
        let (_, database) = try await Self.prepared()
        let now = SagaTime.truncated(Date())
        let plan = try await QueryPlan.explain(
            [
                "findAndModify": "sagas", "query": ["_id": "s-1"],
                "update": .array(
                    MongoHistoryStore.leaseAcquisition(owner: "me", until: now.addingTimeInterval(30), now: now)
                        .map(BSONValue.document)),
            ], in: database)
        #expect(plan.isIndexed(by: "_id_"), "\(plan)")
        try await database.drop()
    }

    @Test("the due-saga poll is served by an index: due_by_kind for a runnable kind, dueAt for any")
    func duePoll() async throws {
        let (_, database) = try await Self.prepared()
        let cases: [((name: String, version: Int)?, String)] = [(("order", 2), "due_by_kind"), (nil, "dueAt")]
        for (definition, index) in cases {
            let plan = try await QueryPlan.explain(
                [
                    "find": "sagas",
                    "filter": .document(MongoHistoryStore.dueFilter(now: Date(), definition: definition)),
                    "sort": ["dueAt": 1, "_id": 1], "limit": 32,
                ], in: database)
            #expect(plan.isIndexed(by: index), "\(plan)")
        }
        try await database.drop()
    }
}

extension AccessPathTests {
    @Test("counting the sagas of a status is served by status_listKey, never a pass over the collection")
    func statusCounts() async throws {
        let (_, database) = try await Self.prepared()
        let filter = MongoHistoryStore.statusFilter(.running)
        for command: Document in [
            ["count": "sagas", "query": .document(filter)],
            [
                "aggregate": "sagas", "cursor": [:],
                "pipeline": [["$match": .document(filter)], ["$group": ["_id": 1, "n": ["$sum": 1]]]],
            ],
        ] {
            let plan = try await QueryPlan.explain(command, in: database)
            #expect(plan.isIndexed(by: "status_listKey"), "\(plan)")
        }
        try await database.drop()
    }

    @Test("a list page is read through its index in order, with no sort in memory, with or without a status")
    func listPages() async throws {
        let (_, database) = try await Self.prepared()
        let cases: [(Document, Document)] = [
            (["status": "RUNNING", "listKey": ["$lt": "1800000000000|s-9"]], ["status": 1, "listKey": -1]),
            (["listKey": ["$lt": "1800000000000|s-9"]], ["listKey": -1]),
        ]
        for (filter, hint) in cases {
            let plan = try await QueryPlan.explain(
                ["find": "sagas", "filter": .document(filter), "hint": .document(hint), "limit": 51], in: database)
            #expect(!plan.sortsInMemory && !plan.stages.contains("COLLSCAN"), "\(plan)")
        }
        try await database.drop()
    }
}

/// Watchers cost nothing while nothing happens, and share one read when something does.
@Suite("Watching sagas")
struct WatchCostTests {
    @Test("fifty streams on one saga: no read while it waits, a shared read when it changes, all see every event")
    func sharedQuietWatchers() async throws {
        let client = try MongoClient(try TestDeployment.uri())
        let clock = TestClock(now: SagaTime.truncated(Date()))
        let store = MongoHistoryStore(
            client: client, databaseName: TestDeployment.uniqueName("watch"), clock: clock,
            watchPollInterval: .seconds(30))
        try await store.prepare()
        let now = clock.now
        _ = try await store.startSaga(
            .runningFirstStep("w", at: now))
        func follow() -> Task<[Int64], any Error> {
            let stream = store.watch(sagaId: "w", after: 0)
            return Task {
                var seen: [Int64] = []
                for try await event in stream { seen.append(event.seq) }
                return seen
            }
        }
        /// Saga reads made for watchers in two quiet seconds (the shared change stream's own polls, whose number
        /// depends on the machine's load, are not reads of the saga).
        func quietReads() async throws -> Int {
            // First let the joining watchers' catch-up reads finish (slow on a loaded machine): no read for 1 s.
            var seen = store.watchers.readCount
            for _ in 0..<15 {
                try await Task.sleep(for: .seconds(1))
                if store.watchers.readCount == seen { break }
                seen = store.watchers.readCount
            }
            let from = store.watchers.readCount
            try await Task.sleep(for: .seconds(2))
            return store.watchers.readCount - from
        }
        var readers = [follow()]
        let oneWatcher = try await quietReads()
        readers += (1..<50).map { _ in follow() }
        let fiftyWatchers = try await quietReads()
        #expect(
            oneWatcher == 0 && fiftyWatchers == 0,
            "reads while quiet: one watcher \(oneWatcher), fifty \(fiftyWatchers)")

        let readsFrom = store.watchers.readCount
        try await store.append(
            AppendRequest(
                sagaId: "w", owner: "me", expectedSeq: 3, expectedInboxCount: 0,
                events: [
                    HistoryEvent(seq: 4, at: now, kind: .stepCompleted(step: "A", attempt: 1, result: .null)),
                    HistoryEvent(seq: 5, at: now, kind: .sagaCompleted),
                ],
                status: .completed, currentStep: nil, dueAt: nil, lease: .release))
        for reader in readers { #expect(try await reader.value == [1, 2, 3, 4, 5]) }
        #expect(store.watchers.readCount - readsFrom <= 2, "fifty streams share the read of a change")
        await client.shutdown()
    }
}

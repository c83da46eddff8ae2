import Foundation
import Mongo
import MongoTesting
import SagaKit
import SagaKitTesting
import Synchronization
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

    @Test("the due-saga poll is served by the due_by_kind index")
    func duePoll() async throws {
        let (_, database) = try await Self.prepared()
        let plan = try await QueryPlan.explain(
            [
                "find": "sagas",
                "filter": .document(MongoHistoryStore.dueFilter(now: Date(), definition: ("order", 2))),
                "sort": ["dueAt": 1, "_id": 1], "limit": 32,
            ], in: database)
        #expect(plan.isIndexed(by: "due_by_kind"), "\(plan)")
        try await database.drop()
    }

    @Test("the due-saga poll's range starts at dates: ended sagas, which have no due time, are not in it")
    func duePollSkipsUndatedSagas() {
        let bounds = MongoHistoryStore.dueFilter(now: Date(), definition: ("order", 2))["dueAt"]?.documentValue
        #expect(bounds?["$gte"]?.dateValue != nil, "an upper bound alone reads every null entry first")
        #expect(bounds?["$lte"]?.dateValue != nil)
    }

    @Test("preparing the store drops the index on dueAt alone that earlier versions made, and keeps the rest")
    func legacyDueIndexDropped() async throws {
        let name = TestDeployment.uniqueName("legacy-indexes")
        let client = try TestDeployment.client()
        let database = client.database(name)
        try await database.collection("sagas").createIndexes([
            IndexModel(keys: ["dueAt": 1], name: "dueAt", sparse: true)
        ])
        let store = MongoHistoryStore(client: client, databaseName: name)
        try await store.prepare()
        try await store.prepare()
        let listed = try await database.runCommand(["listIndexes": "sagas"])
        let indexes = listed[path: "cursor.firstBatch"]?.arrayValue?.compactMap(\.documentValue) ?? []
        let names = Set(indexes.compactMap { $0["name"]?.stringValue })
        #expect(names == ["_id_", "status_listKey", "listKey", "due_by_kind", "lastSignalAt"])
        try await database.drop()
    }
}

extension AccessPathTests {
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
    @Test(
        "fifty streams on one saga: no read while it waits, one shared read for another process's change, none for this process's own, all see every event"
    )
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
        let readersAtThree = Tally()
        let readersAtFour = Tally()
        func follow() -> Task<[Int64], any Error> {
            let stream = store.watch(sagaId: "w", after: 0)
            return Task {
                var seen: [Int64] = []
                for try await event in stream {
                    seen.append(event.seq)
                    if event.seq == 3 { readersAtThree.count.add(1, ordering: .relaxed) }
                    if event.seq == 4 { readersAtFour.count.add(1, ordering: .relaxed) }
                }
                return seen
            }
        }
        /// Saga reads made for watchers in two quiet seconds (the shared change stream's own polls, whose number
        /// depends on the machine's load, are not reads of the saga).
        func quietReads(watchers: Int) async throws -> Int {
            // First let every watcher catch up (slow on a loaded machine), then let any read still asked for finish:
            // no read for 1 s.
            for _ in 0..<300 where readersAtThree.count.load(ordering: .relaxed) < watchers {
                try await Task.sleep(for: .milliseconds(100))
            }
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
        let oneWatcher = try await quietReads(watchers: 1)
        readers += (1..<50).map { _ in follow() }
        let fiftyWatchers = try await quietReads(watchers: 50)
        #expect(
            oneWatcher == 0 && fiftyWatchers == 0,
            "reads while quiet: one watcher \(oneWatcher), fifty \(fiftyWatchers)")

        // Another process appends: the change stream wakes the tail, whose one read serves all fifty.
        let otherProcess = MongoHistoryStore(client: client, databaseName: store.sagas.database.name, clock: clock)
        let readsFrom = store.watchers.readCount
        try await otherProcess.append(
            AppendRequest(
                sagaId: "w", owner: "me", expectedSeq: 3, expectedInboxCount: 0, expectedStatus: .running,
                events: [HistoryEvent(seq: 4, at: now, kind: .stepCompleted(step: "A", attempt: 1, result: .null))],
                status: .running, currentStep: nil, dueAt: nil, lease: .keep(until: now.addingTimeInterval(30))))
        for _ in 0..<200 where readersAtFour.count.load(ordering: .relaxed) < 50 {
            try await Task.sleep(for: .milliseconds(100))
        }
        let readsForOther = store.watchers.readCount - readsFrom
        #expect((1...2).contains(readsForOther), "fifty streams share the read of another process's change")

        // This process appends: the events go from the append to the watchers, with no read at all.
        let readsBeforeOwn = store.watchers.readCount
        try await store.append(
            AppendRequest(
                sagaId: "w", owner: "me", expectedSeq: 4, expectedInboxCount: 0, expectedStatus: .running,
                events: [HistoryEvent(seq: 5, at: now, kind: .sagaCompleted)],
                status: .completed, currentStep: nil, dueAt: nil, lease: .release))
        for reader in readers { #expect(try await reader.value == [1, 2, 3, 4, 5]) }
        #expect(store.watchers.readCount == readsBeforeOwn, "this process's own append is handed over, not read back")
        #expect(store.watchers.tailCount == 0)
        await client.shutdown()
    }
}

/// A count shared by concurrent tasks.
private final class Tally: Sendable {
    let count = Atomic<Int>(0)
}

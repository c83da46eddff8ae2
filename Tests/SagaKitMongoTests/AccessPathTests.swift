import Foundation
import Mongo
import MongoTesting
import SagaKit
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

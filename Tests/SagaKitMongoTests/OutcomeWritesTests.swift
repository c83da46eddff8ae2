import Foundation
import Mongo
import MongoTesting
import SagaKit
import SagaKitMongo
import SagaKitTesting
import Testing

/// Business writes (`[NamespacedWrite]`) made in one ordered bulk write with a saga's start or an append.
@Suite("Outcome writes on MongoDB")
struct OutcomeWritesTests {
    static func store(_ client: MongoClient, taking: Bool = true) async throws -> MongoHistoryStore {
        let store = MongoHistoryStore(
            client: client, databaseName: TestDeployment.uniqueName("outcome"), takingOutcomeWrites: taking)
        try await store.prepare()
        return store
    }

    /// The completion of step `A` of ``SagaStartRequest/runningFirstStep(_:owner:at:)``, from `owner`.
    static func completion(_ sagaId: String, owner: String = "me", at now: Date) -> AppendRequest {
        AppendRequest(
            sagaId: sagaId, owner: owner, expectedSeq: 3, expectedInboxCount: 0, expectedStatus: .running,
            events: [HistoryEvent(seq: 4, at: now, kind: .stepCompleted(step: "A", attempt: 1, result: .null))],
            status: .running, currentStep: nil, dueAt: nil, lease: .keep(until: now.addingTimeInterval(30)))
    }

    /// A compare-and-set of item `id` from `from` to `to`, refused when the item is not `from`.
    static func move(_ id: String, from: String, to: String, in items: MongoCollection<Document>) -> NamespacedWrite {
        NamespacedWrite(
            .updateOne(
                filter: ["_id": .string(id), "state": .string(from)], update: ["$set": ["state": .string(to)]],
                upsert: true), in: items)
    }

    /// The code of the refusal `store` answers the completion of `s` after moving item `i` with, nil when it answers
    /// otherwise.
    static func refusalCode(
        _ store: MongoHistoryStore, _ items: MongoCollection<Document>, at now: Date
    ) async -> Int? {
        do {
            try await store.append(
                completion("s", at: now), after: [move("i", from: "held", to: "committed", in: items)])
        } catch HistoryStoreError.outcomeWritesRefused(let refusal as MongoError) {
            return refusal.code
        } catch {}
        return nil
    }

    @Test("a store asked to take outcome writes takes them once it found the deployment does; one not asked does not")
    func takes() async throws {
        let client = try TestDeployment.client()
        let asked = MongoHistoryStore(
            client: client, databaseName: TestDeployment.uniqueName("outcome"), takingOutcomeWrites: true)
        #expect(!asked.takesOutcomeWrites, "not before prepare()")
        try await asked.prepare()
        #expect(asked.takesOutcomeWrites)
        #expect(!(try await Self.store(client, taking: false)).takesOutcomeWrites)
    }

    @Test("an append after writes makes both in one command; a refused write leaves the saga as it was")
    func appendAfterWrites() async throws {
        try await TestDeployment.withDatabase { business in
            let store = try await Self.store(business.client)
            let items = business.collection("items", as: Document.self)
            try await items.insertMany([["_id": "i1", "state": "held"], ["_id": "i2", "state": "held"]])
            let now = SagaTime.truncated(Date())
            _ = try await store.startSaga(.runningFirstStep("s1", at: now))
            _ = try await store.startSaga(.runningFirstStep("s2", at: now))
            let commands = await store.appendWrites

            try await store.append(
                Self.completion("s1", at: now),
                after: ([Self.move("i1", from: "held", to: "committed", in: items)]))
            #expect(try await store.load(sagaId: "s1")?.lastSeq == 4)
            #expect(try await items.findOne(["_id": "i1"])?["state"] == "committed")
            #expect(await store.appendWrites == commands + 1, "one bulk write for the write and the append")

            await #expect {
                try await store.append(
                    Self.completion("s2", at: now),
                    after: ([
                        Self.move("i2", from: "held", to: "committed", in: items),
                        Self.move("i2", from: "held", to: "shipped", in: items),
                    ]))
            } throws: { error in
                guard case HistoryStoreError.outcomeWritesRefused(let refusal as MongoError) = error else {
                    return false
                }
                return refusal.kind == .duplicateKey
            }
            #expect(try await store.load(sagaId: "s2")?.lastSeq == 3, "the append after the refused write was not made")
            #expect(try await items.findOne(["_id": "i2"])?["state"] == "committed", "the write before it was")
        }
    }

    @Test("an append whose writes are refused because an earlier try of it landed reports the conflict it is")
    func retryOfLandedAppend() async throws {
        try await TestDeployment.withDatabase { business in
            let store = try await Self.store(business.client)
            let items = business.collection("items", as: Document.self)
            try await items.insertOne(["_id": "i", "state": "held"])
            let now = SagaTime.truncated(Date())
            _ = try await store.startSaga(.runningFirstStep("s", at: now))
            let request = Self.completion("s", at: now)
            let writes = ([Self.move("i", from: "held", to: "committed", in: items)])
            try await store.append(request, after: writes)

            await #expect {
                try await store.append(request, after: writes)
            } throws: { error in
                guard case HistoryStoreError.conflict(let conflict) = error else { return false }
                return conflict.reason == .staleSequence && conflict.current.lastSeq == 4
            }
        }
    }

    @Test("a write that applies but misses its write concern is reported unavailable, never applied")
    func writeConcernError() async throws {
        try await FailCommand.withIsolatedClient { client, faults in
            let store = try await Self.store(client)
            let items = client.database(TestDeployment.uniqueName("business")).collection("items", as: Document.self)
            try await items.insertOne(["_id": "i", "state": "held"])
            let now = SagaTime.truncated(Date())
            _ = try await store.startSaga(.runningFirstStep("s", at: now))
            try await faults.writeConcernError(on: ["bulkWrite"], times: 1)

            await #expect {
                try await store.append(
                    Self.completion("s", at: now),
                    after: ([Self.move("i", from: "held", to: "committed", in: items)]))
            } throws: { error in
                guard case HistoryStoreError.unavailable(let reason) = error else { return false }
                return reason.contains("write concern")
            }
            try await items.database.drop()
        }
    }

    @Test("a start after a refused write stores no saga; after writes that apply, both are stored")
    func startAfterWrites() async throws {
        try await TestDeployment.withDatabase { business in
            let store = try await Self.store(business.client)
            let orders = business.collection("orders", as: Document.self)
            try await orders.insertOne(["_id": "taken"])
            let now = SagaTime.truncated(Date())

            await #expect {
                _ = try await store.startSaga(
                    .runningFirstStep("s-refused", at: now),
                    after: ([NamespacedWrite(.insertOne(["_id": "taken"]), in: orders)]))
            } throws: { error in
                guard case HistoryStoreError.outcomeWritesRefused(let refusal as MongoError) = error else {
                    return false
                }
                return refusal.kind == .duplicateKey
            }
            #expect(try await store.load(sagaId: "s-refused") == nil)

            let started = try await store.startSaga(
                .runningFirstStep("s-new", at: now),
                after: ([NamespacedWrite(.insertOne(["_id": "new"]), in: orders)]))
            #expect(started.isCreated)
            #expect(try await orders.findOne(["_id": "new"]) != nil)
        }
    }

    @Test(
        "a deployment that turns out not to take bulkWrite is asked no more: the writes are refused for the caller to make, and appends go on alone"
    )
    func fallsBack() async throws {
        try await FailCommand.withIsolatedClient { client, faults in
            let store = try await Self.store(client)
            #expect(store.takesOutcomeWrites)
            let items = client.database(TestDeployment.uniqueName("business")).collection("items", as: Document.self)
            try await items.insertOne(["_id": "i", "state": "held"])
            let now = SagaTime.truncated(Date())
            _ = try await store.startSaga(.runningFirstStep("s", at: now))
            try await faults.commandError(on: ["bulkWrite"], code: 59, times: 1)

            #expect(await Self.refusalCode(store, items, at: now) == 59)
            #expect(!store.takesOutcomeWrites)
            #expect(try await store.load(sagaId: "s")?.lastSeq == 3)
            try await store.append(Self.completion("s", at: now))
            #expect(try await store.load(sagaId: "s")?.lastSeq == 4)
            try await items.database.drop()
        }
    }

    @Test(
        "a deployment that refuses the append's guard while the saga is as the append expects has the writes made apart from then on"
    )
    func guardRefused() async throws {
        try await TestDeployment.withDatabase { business in
            let name = TestDeployment.uniqueName("outcome")
            let store = MongoHistoryStore(client: business.client, databaseName: name, takingOutcomeWrites: true)
            try await store.prepare()
            let items = business.collection("items", as: Document.self)
            try await items.insertOne(["_id": "i", "state": "held"])
            let now = SagaTime.truncated(Date())
            _ = try await store.startSaga(.runningFirstStep("s", at: now))
            // Every update of a saga now fails (not for its condition): what a deployment refusing the guard looks like.
            _ = try await business.client.database(name).runCommand([
                "collMod": "sagas", "validator": ["never": ["$exists": true]], "validationAction": "error",
            ])

            #expect(await Self.refusalCode(store, items, at: now) == 121)
            #expect(!store.takesOutcomeWrites)
            #expect(try await store.load(sagaId: "s")?.lastSeq == 3)
            try await business.client.database(name).drop()
        }
    }
}

import Foundation
import Mongo
import MongoTesting
import SagaKit
import Synchronization
import Testing

@testable import SagaKitMongo

/// The counts by status are kept in a document and brought up to date from the change stream: exact under
/// concurrent changes, several instances and recounts, and no pass over the sagas once they are kept.
@Suite("Counts by status")
struct StatusCountsTests {
    /// A store on a database of its own, and a second instance's store on the same one.
    struct Fixture {
        let client: MongoClient
        let store: MongoHistoryStore
        let other: MongoHistoryStore
        let now = SagaTime.truncated(Date())

        init() async throws {
            client = try TestDeployment.client()
            let name = TestDeployment.uniqueName("counts")
            store = MongoHistoryStore(client: client, databaseName: name)
            other = MongoHistoryStore(client: client, databaseName: name)
            try await store.prepare()
        }

        /// Starts sagas `ids`, each RUNNING.
        func start(_ ids: [String]) async throws {
            for id in ids { _ = try await store.startSaga(.runningFirstStep(id, at: now)) }
        }

        /// Moves saga `id` from `from` to each of `path` in turn (appends without events, lease kept).
        func move(_ id: String, from: SagaStatus, through path: [SagaStatus], by store: MongoHistoryStore? = nil)
            async throws
        {
            var current = from
            for next in path {
                try await (store ?? self.store).append(
                    AppendRequest(
                        sagaId: id, owner: "me", expectedSeq: 3, expectedInboxCount: 0, expectedStatus: current,
                        events: [], status: next, currentStep: "A", dueAt: nil,
                        lease: .keep(until: now.addingTimeInterval(60))))
                current = next
            }
        }

        /// The counts a pass over the collection finds.
        func truth() async throws -> [SagaStatus: Int] {
            var counts: [SagaStatus: Int] = [:]
            for status in SagaStatus.allCases {
                counts[status] = try await store.sagas.countDocuments(["status": .string(status.rawValue)])
            }
            return counts
        }

        /// The stored counts document.
        func stored() async throws -> Document? {
            try await store.counts.findOne(["_id": MongoHistoryStore.statusCountsId])
        }

        func drop() async throws {
            try await store.sagas.database.drop()
        }
    }

    @Test("a read folds the changes since the last one into the stored counts, which it does not recount")
    func keptNotCounted() async throws {
        let fixture = try await Fixture()
        try await fixture.start(["a", "b", "c"])
        #expect(try await fixture.store.countsByStatus() == fixture.truth(), "the first read counts")
        let first = try #require(try await fixture.stored())

        // Folding starts from what is stored: a count planted there shows through every later read.
        try await fixture.store.counts.updateOne(
            filter: ["_id": MongoHistoryStore.statusCountsId], update: ["$inc": ["counts.STUCK": 100]])
        try await fixture.move("a", from: .running, through: [.stuck, .running, .compensating, .compensated])
        try await fixture.start(["d"])
        var expected = try await fixture.truth()
        expected[.stuck, default: 0] += 100
        #expect(try await fixture.store.countsByStatus() == expected)
        #expect(try await fixture.other.countsByStatus() == expected, "another instance reads the same counts")
        let second = try #require(try await fixture.stored())
        #expect(second["version"]?.int64Value == (first["version"]?.int64Value ?? 0) + 1)
        #expect(second["token"] != first["token"], "the position moved with the fold")

        // Without the document, the next read counts the collection again.
        try await fixture.store.counts.deleteMany(filter: [:])
        #expect(try await fixture.store.countsByStatus() == fixture.truth())
        try await fixture.drop()
    }

    @Test("a recount while sagas keep changing, then folds, end at the collection's counts, by either instance")
    func recountsUnderChange() async throws {
        let fixture = try await Fixture()
        let ids = (0..<40).map { "s-\($0)" }
        try await fixture.start(ids)
        var statuses = Dictionary(uniqueKeysWithValues: ids.map { ($0, SagaStatus.running) })
        for round in 0..<4 {
            let stop = Flag()
            let writing = Task { [statuses] in
                try await withThrowingTaskGroup(of: (String, SagaStatus, Bool).self) { group in
                    for (index, id) in ids.enumerated() {
                        group.addTask {
                            let store = index.isMultiple(of: 2) ? fixture.store : fixture.other
                            var status = statuses[id] ?? .running
                            for _ in 0..<2000 {
                                if stop.isSet.load(ordering: .acquiring) { return (id, status, true) }
                                let next: SagaStatus = status == .running ? .stuck : .running
                                try await fixture.move(id, from: status, through: [next], by: store)
                                status = next
                            }
                            return (id, status, false)
                        }
                    }
                    return try await group.reduce(into: [(String, SagaStatus, Bool)]()) { $0.append($1) }
                }
            }
            // The recount (the stored counts removed first) overlaps changes it must neither miss nor count twice.
            try await Task.sleep(for: .milliseconds(200))
            try await fixture.store.counts.deleteMany(filter: [:])
            let reader = round.isMultiple(of: 2) ? fixture.other : fixture.store
            _ = try await reader.countsByStatus()
            stop.isSet.store(true, ordering: .releasing)
            let ended = try await writing.value
            #expect(ended.allSatisfy { $0.2 }, "the sagas changed until the recount had ended")
            for (id, status, _) in ended { statuses[id] = status }
            // Folded by the other instance from the recount's position: a count planted in the stored document
            // shows through, so the fold did not count again.
            try await fixture.store.counts.updateOne(
                filter: ["_id": MongoHistoryStore.statusCountsId], update: ["$inc": ["counts.CANCELLED": 7]])
            var expected = try await fixture.truth()
            expected[.cancelled, default: 0] += 7
            let folder = reader === fixture.store ? fixture.other : fixture.store
            let folded = try await folder.countsByStatus()
            #expect(folded == expected, "round \(round)")
        }
        try await fixture.drop()
    }

    @Test("a position the server refuses, and a change of status from an instance before the counts, recount")
    func recountWhenTheFoldCannotAccount() async throws {
        let fixture = try await Fixture()
        try await fixture.start(["a", "b", "c"])
        _ = try await fixture.store.countsByStatus()

        try await fixture.store.counts.updateOne(
            filter: ["_id": MongoHistoryStore.statusCountsId],
            update: ["$set": ["token": ["_data": "00DEADBEEF"], "counts.RUNNING": .int64(1000)]])
        try await fixture.move("a", from: .running, through: [.stuck])
        #expect(try await fixture.store.countsByStatus() == fixture.truth(), "a refused position recounts")

        // An older instance writes the status alone (no statusFrom, no statusChanges).
        try await fixture.store.sagas.updateOne(filter: ["_id": "b"], update: ["$set": ["status": "COMPLETED"]])
        try await fixture.store.counts.updateOne(
            filter: ["_id": MongoHistoryStore.statusCountsId], update: ["$inc": ["counts.RUNNING": 1000]])
        #expect(try await fixture.store.countsByStatus() == fixture.truth(), "a change it cannot place recounts")
        try await fixture.drop()
    }

    @Test(
        "while an instance from before the counts keeps changing statuses, a read counts the collection and keeps nothing"
    )
    func olderInstanceStillRunning() async throws {
        let fixture = try await Fixture()
        // Enough sagas that every recount's scan overlaps some of the older instance's writes.
        let ids = (0..<1500).map { "s-\($0)" }
        for chunk in stride(from: 0, to: ids.count, by: 100) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for id in ids[chunk..<chunk + 100] {
                    group.addTask { _ = try await fixture.store.startSaga(.runningFirstStep(id, at: fixture.now)) }
                }
                try await group.waitForAll()
            }
        }
        let stop = Flag()
        let older = Task {
            // The older instance writes the status alone (no statusFrom, no statusChanges).
            var stuck = false
            for _ in 0..<20_000 where !stop.isSet.load(ordering: .acquiring) {
                stuck.toggle()
                try await fixture.store.sagas.updateOne(
                    filter: ["_id": "s-0"], update: ["$set": ["status": stuck ? "STUCK" : "RUNNING"]])
            }
        }
        let counts = try await fixture.store.countsByStatus()
        stop.isSet.store(true, ordering: .releasing)
        try await older.value
        #expect(counts.values.reduce(0, +) == ids.count, "\(counts)")
        #expect(counts[.running, default: 0] >= ids.count - 1)
        #expect(try await fixture.stored() == nil, "counts that cannot be kept are not saved")

        // Once only current instances write, the next read recounts and keeps the counts.
        #expect(try await fixture.store.countsByStatus() == fixture.truth())
        #expect(try await fixture.stored() != nil)
        try await fixture.drop()
    }
}

/// A flag shared by concurrent tasks.
private final class Flag: Sendable {
    let isSet = Atomic<Bool>(false)
}

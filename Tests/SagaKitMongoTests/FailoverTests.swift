import Foundation
import Mongo
import MongoTesting
import SagaKit
import SagaKitMongo
import SagaKitTesting
import Testing

/// What a failover looks like to the history store: writes that apply but answer with a write-concern error (they
/// may be rolled back), and connections that drop before the answer. Nothing may be reported durable that was not.
///
/// Each test aims the server's `failCommand` fail point at a client of its own (``FailCommand``).
@Suite("Failover: write-concern and network errors")
struct FailoverTests {
    struct Input: Codable, Sendable { var n = 0 }

    static func store(_ client: MongoClient, clock: TestClock) async throws -> MongoHistoryStore {
        let store = MongoHistoryStore(
            client: client, databaseName: TestDeployment.uniqueName("failover"), clock: clock,
            writeConcern: WriteConcern(.majority, journal: true, timeout: .seconds(5)))
        try await store.prepare()
        return store
    }

    @Test("an append answered with a write-concern error is reported unavailable, never applied")
    func appendWithWriteConcernError() async throws {
        try await FailCommand.withIsolatedClient { client, faults in
            let clock = TestClock(now: SagaTime.truncated(Date()))
            let store = try await Self.store(client, clock: clock)
            let now = clock.now
            _ = try await store.startSaga(
                .runningFirstStep("s", at: now))
            try await faults.writeConcernError(on: ["update"], times: 1)
            let request = AppendRequest(
                sagaId: "s", owner: "me", expectedSeq: 3, expectedInboxCount: 0, expectedStatus: .running,
                events: [HistoryEvent(seq: 4, at: now, kind: .stepCompleted(step: "A", attempt: 1, result: .null))],
                status: .running, currentStep: nil, dueAt: nil, lease: .keep(until: now.addingTimeInterval(30)))
            await #expect {
                try await store.append(request)
            } throws: { error in
                guard case HistoryStoreError.unavailable(let reason) = error else { return false }
                return reason.contains("write concern")
            }
            // The write did reach the primary; only its durability is unknown, and the engine's retry settles that.
            #expect(try await store.load(sagaId: "s")?.lastSeq == 4)
        }
    }

    @Test("a saga runs to the end through write-concern and network errors, each step's effect once")
    func sagaThroughFailovers() async throws {
        try await FailCommand.withIsolatedClient { client, faults in
            let clock = TestClock(now: SagaTime.truncated(Date()))
            let harness = SagaTestHarness(store: try await Self.store(client, clock: clock), clock: clock)
            let log = EffectLog()
            let definition = SagaDefinition<Input>(name: "failover", version: 1) {
                for name in ["A", "B", "C", "D"] {
                    ActionStep<Input>(name, retryPolicy: RetryPolicy(initialInterval: .milliseconds(100), jitter: 0)) {
                        context in
                        log.record(name, key: context.idempotencyKey, attempt: context.attempt)
                        return "done"
                    }
                }
            }
            try harness.registry.register(definition)
            var configuration = harness.configuration()
            configuration.storeRetryLimit = 8
            let engine = harness.makeEngine(configuration)
            try await faults.writeConcernError(on: ["update"], times: 2)
            _ = try await engine.start(definition, sagaId: "f-1", input: Input())
            let first = try await harness.waitForStatus("f-1", .completed, timeout: .seconds(20))
            try await faults.networkError(on: ["update"], times: 2)
            _ = try await engine.start(definition, sagaId: "f-2", input: Input())
            let second = try await harness.waitForStatus("f-2", .completed, timeout: .seconds(20))

            for record in [first, second] {
                #expect(record.events.map(\.seq) == Array(1...Int64(record.events.count)))
                #expect(SagaReplayer.check(history: record.events, against: definition).isEmpty)
                #expect(
                    record.events.filter { $0.type == HistoryEvent.EventType.stepStarted.rawValue }.count == 4,
                    "no step started twice: each outcome was kept")
            }
            #expect(log.all.count == 8, "each step of each saga ran once")
            await engine.shutdown()
        }
    }
}

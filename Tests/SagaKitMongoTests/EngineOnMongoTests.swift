import Foundation
import Mongo
import MongoTesting
import SagaKit
import SagaKitMongo
import SagaKitTesting
import Testing

/// The engine on the MongoDB history store: what only a real store shows (leases and takeover across
/// executors, durable waits across restarts, group commit under concurrency).
@Suite("The engine on the MongoDB history store")
struct EngineOnMongoTests {
    struct Input: Codable, Sendable { var n = 0 }
    struct Done: Codable, Sendable { var step: String }

    /// A fresh store on the live test deployment, following `clock`.
    static func store(clock: TestClock) async throws -> MongoHistoryStore {
        let store = MongoHistoryStore(
            client: try TestDeployment.client(), databaseName: TestDeployment.uniqueName("engine"), clock: clock,
            watchPollInterval: .milliseconds(100))
        try await store.prepare()
        return store
    }

    /// A, B, C; B waits on `gate` on its first attempt of each saga; every call is logged.
    static func gated(log: EffectLog, gate: TestGate) -> SagaDefinition<Input> {
        SagaDefinition(name: "gated", version: 1) {
            for name in ["A", "B", "C"] {
                ActionStep<Input>(
                    name, retryPolicy: RetryPolicy(initialInterval: .milliseconds(100), maximumAttempts: 0, jitter: 0)
                ) {
                    context in
                    log.record(name, key: context.idempotencyKey, attempt: context.attempt)
                    if name == "B", context.attempt == 1 { try await gate.wait() }
                    return Done(step: name)
                }
            }
        }
    }

    @Test(
        "when an executor crashes mid-step, another takes over once the lease expires and reruns the step with the same key"
    )
    func crashTakeover() async throws {
        let clock = TestClock(now: SagaTime.truncated(Date()))
        let harness = SagaTestHarness(store: try await Self.store(clock: clock), clock: clock)
        let log = EffectLog()
        let gate = TestGate()
        let definition = Self.gated(log: log, gate: gate)
        try harness.registry.register(definition)
        let crashing = harness.startEngine(harness.configuration(instanceId: "crashing"))
        let survivor = harness.startEngine(harness.configuration(instanceId: "survivor"))
        let ids = ["t-1", "t-2", "t-3"]
        for id in ids { _ = try await crashing.engine.start(definition, sagaId: id, input: Input()) }
        try await gate.waitForArrivals(3, timeout: .seconds(10))
        await crashing.crash()
        gate.open()

        clock.advance(by: .seconds(20))
        await survivor.engine.pollDueSagas()
        for id in ids {
            let record = try #require(try await harness.store.load(sagaId: id))
            #expect(record.leaseOwner == "crashing", "an unexpired lease is respected")
            #expect(record.events.last?.type == "StepStarted")
        }
        clock.advance(by: .seconds(25))
        await survivor.engine.pollDueSagas()
        for id in ids { try await harness.waitForParked(id, after: .stepFailed, timeout: .seconds(10)) }
        clock.advance(by: .seconds(1))
        await survivor.engine.pollDueSagas()
        for id in ids {
            let record = try await harness.waitForStatus(id, .completed, timeout: .seconds(10))
            #expect(record.events.filter { $0.type == "StepStarted" && $0.step == "B" }.map(\.attempt) == [1, 2])
            #expect(SagaReplayer.check(history: record.events, against: definition).isEmpty)
        }
        #expect(log.count("A") == 3)
        #expect(log.count("C") == 3)
        #expect(
            log.keys("B").sorted() == ids.flatMap { ["\($0)/B", "\($0)/B"] }.sorted(), "B ran again with the same key")
        await survivor.stop()
    }

    @Test("an approval wait survives a restart; a signal sent while no executor ran is delivered by the next one")
    func waitSurvivesRestart() async throws {
        let clock = TestClock(now: SagaTime.truncated(Date()))
        let store = try await Self.store(clock: clock)
        let log = EffectLog()
        let definition = SagaDefinition<Input>(name: "approval", version: 1) {
            ActionStep<Input>("Reserve") { context in
                log.record("Reserve", key: context.idempotencyKey, attempt: context.attempt)
                return Done(step: "Reserve")
            }
            SignalWaitStep<Input>(
                "AwaitApproval", continueOn: ["approve"], timeout: .seconds(3600),
                onTimeout: .nonRetryable(kind: "ApprovalTimeout", message: "none"))
            ActionStep<Input>("Charge") { context in
                log.record("Charge", key: context.idempotencyKey, attempt: context.attempt)
                return Done(step: "Charge")
            }
        }
        let first = SagaTestHarness(store: store, clock: clock)
        try first.registry.register(definition)
        let engine = first.startEngine(first.configuration(instanceId: "before-restart"))
        _ = try await engine.engine.start(definition, sagaId: "w-1", input: Input())
        let waiting = try await first.waitForStatus("w-1", .waiting, timeout: .seconds(20))
        #expect(waiting.leaseOwner == nil, "a waiting saga holds no lease and no task")
        await engine.stop()

        #expect(try await store.sendSignal(sagaId: "w-1", signal: SagaSignalRecord(name: "approve", at: clock.now)))

        let second = SagaTestHarness(store: store, clock: clock)
        try second.registry.register(definition)
        let restarted = second.startEngine(second.configuration(instanceId: "after-restart"))
        await restarted.engine.pollDueSagas()
        let record = try await second.waitForStatus("w-1", .completed, timeout: .seconds(10))
        #expect(record.events.contains { $0.type == "SignalReceived" })
        #expect(log.names == ["Reserve", "Charge"])
        await restarted.stop()
    }

    @Test("concurrent sagas' appends share bulk writes (group commit)")
    func groupCommit() async throws {
        let clock = TestClock(now: SagaTime.truncated(Date()))
        let store = try await Self.store(clock: clock)
        let harness = SagaTestHarness(store: store, clock: clock)
        let definition = SagaDefinition<Input>(name: "quick", version: 1) {
            for name in ["One", "Two", "Three", "Four"] {
                ActionStep<Input>(name) { _ in Done(step: name) }
            }
        }
        try harness.registry.register(definition)
        let engine = harness.startEngine(harness.configuration(instanceId: "grouped"))
        let ids = (0..<60).map { "g-\($0)" }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for id in ids {
                group.addTask { _ = try await engine.engine.start(definition, sagaId: id, input: Input()) }
            }
            try await group.waitForAll()
        }
        for id in ids { try await harness.waitForStatus(id, .completed, timeout: .seconds(30)) }
        let appends = ids.count * 4
        let writes = await store.appendWrites
        #expect(writes < appends, "\(writes) bulk writes carried \(appends) appends")
        await engine.stop()
    }
}

/// Starts beyond the engine's concurrency are queued; taking their lease costs no read of the saga.
@Suite("Queued starts on the MongoDB history store")
struct QueuedStartTests {
    @Test("queued starts take their lease in the group commit, with no findAndModify; a changed saga is read instead")
    func queuedStartsTakeLeasesWithoutReading() async throws {
        let client = try MongoClient(try TestDeployment.uri())
        let clock = TestClock(now: SagaTime.truncated(Date()))
        let store = MongoHistoryStore(client: client, databaseName: TestDeployment.uniqueName("queued"), clock: clock)
        try await store.prepare()
        let harness = SagaTestHarness(store: store, clock: clock)
        let gate = TestGate()
        let definition = SagaDefinition<EngineOnMongoTests.Input>(name: "quick", version: 1) {
            ActionStep<EngineOnMongoTests.Input>("A") { _ in
                try await gate.wait()
                return EngineOnMongoTests.Done(step: "A")
            }
        }
        try harness.registry.register(definition)
        // No scheduler: a due-saga poll overlapping the starts may list a saga that finishes before the poll claims
        // it, and then reads it back; here only freed slots claim the queued starts.
        let engine = harness.makeEngine(harness.configuration(maxConcurrentSagas: 2))
        let before = client.commandCounts
        let ids = (0..<8).map { "q-\($0)" }
        for id in ids { _ = try await engine.start(definition, sagaId: id, input: .init()) }
        // Both slots wait at the gate, so every later start was queued: stored without a lease.
        var unleased = 0
        for id in ids where try await store.load(sagaId: id)?.leaseOwner == nil { unleased += 1 }
        #expect(unleased == 6)
        gate.open()
        for id in ids { try await harness.waitForStatus(id, .completed, timeout: .seconds(30)) }
        let sent = client.commandCounts.subtracting(before)
        #expect(sent.total(command: "findAndModify") == 0, "\(sent)")
        await engine.shutdown()

        // A saga that changed since it was queued (here: a signal arrived) is taken by reading it.
        let now = clock.now
        let queued = try await store.startSaga(
            SagaStartRequest(
                sagaId: "changed", definitionName: "quick", definitionVersion: 1, input: .null,
                events: [
                    HistoryEvent(seq: 1, at: now, kind: .sagaStarted(definition: "quick", version: 1, input: .null))
                ],
                status: .running, currentStep: nil, owner: nil, leaseUntil: nil, dueAt: now, startedAt: now))
        guard case .created(let known) = queued else {
            Issue.record("the saga was not created")
            return
        }
        #expect(
            try await store.sendSignal(
                sagaId: "changed", signal: SagaSignalRecord(id: "s-1", name: "cancel", payload: .null, at: now),
                ifUnchangedSince: nil))
        let taken = try #require(
            try await store.acquireLease(of: known, owner: "me", until: now.addingTimeInterval(30), now: now))
        #expect(taken.leaseOwner == "me")
        #expect(taken.inbox.map(\.id) == ["s-1"], "the lease came with the saga as it is now")
        #expect(
            try await store.acquireLease(of: known, owner: "other", until: now.addingTimeInterval(30), now: now) == nil,
            "a lease held by another is not taken")
        await client.shutdown()
    }
}

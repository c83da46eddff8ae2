import Foundation
import SagaKit
import SagaKitTesting
import Testing

@Suite("Happy path")
struct HappyPathTests {
    @Test("a four-step saga completes, each step once, in order, with its idempotency key")
    func completes() async throws {
        let harness = SagaTestHarness()
        let log = EffectLog()
        let definition = TestSagas.fourSteps(log: log)
        try harness.registry.register(definition)
        let running = harness.startEngine()
        defer { Task { await running.stop() } }

        let outcome = try await running.engine.start(definition, sagaId: "s-1", input: TestInput())
        #expect(outcome.isCreated)
        let record = try await harness.waitForStatus("s-1", .completed)

        #expect(log.names == ["A", "B", "C", "D"])
        #expect(log.all.map(\.key) == ["s-1/A", "s-1/B", "s-1/C", "s-1/D"])
        #expect(record.events.map(\.seq) == Array(1...Int64(record.events.count)))
        #expect(
            record.types == [
                "SagaStarted",
                "StepScheduled", "StepStarted", "StepCompleted",
                "StepScheduled", "StepStarted", "StepCompleted",
                "StepScheduled", "StepStarted", "StepCompleted",
                "StepScheduled", "StepStarted", "StepCompleted",
                "SagaCompleted",
            ])
        #expect(record.leaseOwner == nil)
        #expect(record.dueAt == nil)
        let state = try SagaState.fold(record.events)
        #expect(state.completedSteps == ["A", "B", "C", "D"])
        #expect(try state.results["B"]?.decode(as: Receipt.self) == Receipt(step: "B", key: "s-1/B", attempt: 1))
    }

    @Test("the happy path of a 4-step saga costs 1 start + 1 append per step, nothing more")
    func roundTrips() async throws {
        let harness = SagaTestHarness()
        let counting = CountingHistoryStore(base: harness.store)
        let log = EffectLog()
        let definition = TestSagas.fourSteps(log: log)
        try harness.registry.register(definition)
        let engine = harness.makeEngine(store: counting)

        _ = try await engine.start(definition, sagaId: "s-rt", input: TestInput())
        try await harness.waitForStatus("s-rt", .completed)

        #expect(counting.calls(for: "s-rt") == ["startSaga": 1, "append": 4])
        #expect(counting.total(for: "s-rt") == 5)
        await engine.shutdown()
    }

    @Test("starting a saga twice with one id creates one saga and reports the first")
    func startTwice() async throws {
        let harness = SagaTestHarness()
        let log = EffectLog()
        let gate = TestGate()
        let definition = TestSagas.fourSteps(log: log, scripts: ["A": StepScript([.wait(gate)])])
        try harness.registry.register(definition)
        let running = harness.startEngine()
        defer { Task { await running.stop() } }

        async let first = running.engine.start(definition, sagaId: "dup", input: TestInput(orderId: "first"))
        async let second = running.engine.start(definition, sagaId: "dup", input: TestInput(orderId: "second"))
        let outcomes = try await [first, second]
        #expect(outcomes.filter { $0.isCreated }.count == 1)
        let third = try await running.engine.start(definition, sagaId: "dup", input: TestInput(orderId: "third"))
        #expect(!third.isCreated)
        let created = try #require(outcomes.first { $0.isCreated }).record
        #expect(third.record.input == created.input)

        gate.open()
        let record = try await harness.waitForStatus("dup", .completed)
        #expect(record.events(of: .sagaStarted).count == 1)
        #expect(log.names == ["A", "B", "C", "D"])
    }

    @Test("a step whose condition is false is skipped, not run")
    func conditionFalse() async throws {
        let harness = SagaTestHarness()
        let log = EffectLog()
        let definition = SagaDefinition<TestInput>(name: "conditional", version: 1) {
            TestSagas.step("Always", log: log)
            TestSagas.step("OnlyWhenApproval", log: log).when { $0.needsApproval }
            TestSagas.step("Last", log: log)
        }
        try harness.registry.register(definition)
        let engine = harness.makeEngine()

        _ = try await engine.start(definition, sagaId: "skip", input: TestInput(needsApproval: false))
        let record = try await harness.waitForStatus("skip", .completed)

        #expect(log.names == ["Always", "Last"])
        let skipped = try #require(record.events(of: .stepSkipped).first)
        #expect(skipped.step == "OnlyWhenApproval")
        let state = try SagaState.fold(record.events)
        #expect(state.step(named: "OnlyWhenApproval")?.status == .skipped)
        #expect(SagaReplayer.check(history: record.events, against: definition).isEmpty)
        await engine.shutdown()
    }
}

import Foundation
import SagaKit
import SagaKitTesting
import Testing

@Suite("Definition versions")
struct VersioningTests {
    @Test("a saga started on v1 finishes on v1 after v2 (with other steps) is registered; new sagas take v2")
    func finishesOnItsVersion() async throws {
        let harness = SagaTestHarness()
        let log = EffectLog()
        let gate = TestGate()
        let v1 = SagaDefinition<TestInput>(name: "versioned", version: 1) {
            TestSagas.step("OldFirst", log: log)
            TestSagas.step("OldSecond", log: log, script: StepScript([.wait(gate)]))
            TestSagas.step("OldThird", log: log)
        }
        let v2 = SagaDefinition<TestInput>(name: "versioned", version: 2) {
            TestSagas.step("NewOnly", log: log)
        }
        try harness.registry.register(v1)
        let running = harness.startEngine()
        _ = try await running.engine.start(v1, sagaId: "v1-saga", input: TestInput())
        try await gate.waitForArrivals(1)

        try harness.registry.register(v2)
        gate.open()
        let old = try await harness.waitForStatus("v1-saga", .completed)
        #expect(old.definitionVersion == 1)
        #expect(old.steps(of: .stepCompleted) == ["OldFirst", "OldSecond", "OldThird"])

        _ = try await running.engine.start(
            definitionName: "versioned", sagaId: "v2-saga", input: try JSONValue(encoding: TestInput()))
        let new = try await harness.waitForStatus("v2-saga", .completed)
        #expect(new.definitionVersion == 2)
        #expect(new.steps(of: .stepCompleted) == ["NewOnly"])
        #expect(log.names == ["OldFirst", "OldSecond", "OldThird", "NewOnly"])
        await running.stop()
    }

    @Test("a saga whose version this engine does not know is left untouched")
    func unknownVersion() async throws {
        let harness = SagaTestHarness()
        let log = EffectLog()
        let v3 = TestSagas.fourSteps(log: log, name: "future", version: 3)
        let newer = SagaRegistry()
        try newer.register(v3)
        let newerEngine = harness.makeEngine(harness.configuration(instanceId: "newer"), registry: newer)
        await harness.faults?.injectAppendFault(
            AppendFault(matching: .stepCompleted, timing: .beforeWrite, times: 100))
        _ = try await newerEngine.start(v3, sagaId: "future-saga", input: TestInput())
        try await waitUntil { await newerEngine.heldCount == 0 }
        await newerEngine.simulateCrash()
        await harness.faults?.clearFaults()
        let before = try #require(try await harness.store.load(sagaId: "future-saga"))

        let older = harness.makeEngine(harness.configuration(instanceId: "older"))
        #expect(harness.registry.definition(name: "future", version: 3) == nil)
        harness.clock.advance(by: .seconds(60))
        await older.pollDueSagas()
        try await waitUntil { await older.heldCount == 0 }

        let after = try #require(try await harness.store.load(sagaId: "future-saga"))
        #expect(after.events == before.events)
        #expect(after.status == before.status)
        #expect(after.leaseOwner == before.leaseOwner, "the older engine never even took its lease")
        #expect(after.dueAt == before.dueAt)
        #expect(log.names == ["A"])
        await older.shutdown()
    }

    @Test("starting an unregistered definition is refused")
    func unregistered() async throws {
        let harness = SagaTestHarness()
        let engine = harness.makeEngine()
        await #expect(throws: SagaEngineError.definitionNotRegistered(name: "four", version: 1)) {
            try await engine.start(TestSagas.fourSteps(log: EffectLog()), sagaId: "x", input: TestInput())
        }
        #expect(try await harness.store.load(sagaId: "x") == nil)
        await engine.shutdown()
    }

    @Test("sagas of a version an engine cannot run, however many, never take the places of those it can")
    func noStarvationDuringRollingDeploy() async throws {
        let harness = SagaTestHarness()
        let log = EffectLog()
        let hang = StepScript(otherwise: .hang)
        let v1 = TestSagas.fourSteps(log: log, name: "order", version: 1)
        let v2 = TestSagas.fourSteps(log: log, name: "order", version: 2, scripts: ["A": hang])
        let both = SagaRegistry()
        try both.register(v1)
        try both.register(v2)
        try harness.registry.register(v1)
        // A newer instance started many v2 sagas, then v1 ones, and died with all of them mid-step.
        let newer = harness.makeEngine(harness.configuration(instanceId: "newer"), registry: both)
        for index in 0..<8 { _ = try await newer.start(v2, sagaId: "v2-\(index)", input: TestInput()) }
        harness.clock.advance(by: .seconds(1))
        let v1Hang = TestSagas.fourSteps(log: log, name: "order", version: 1, scripts: ["A": hang])
        let hanging = SagaRegistry()
        try hanging.register(v1Hang)
        let dying = harness.makeEngine(harness.configuration(instanceId: "dying"), registry: hanging)
        for index in 0..<3 { _ = try await dying.start(v1Hang, sagaId: "v1-\(index)", input: TestInput()) }
        await newer.simulateCrash()
        await dying.simulateCrash()

        // An older instance, two slots, knows only v1: it finishes the v1 sagas, poll after poll.
        harness.clock.advance(by: .seconds(120))
        let older = harness.makeEngine(harness.configuration(instanceId: "older", maxConcurrentSagas: 2))
        for _ in 0..<20 {
            await older.pollDueSagas()
            try await Task.sleep(for: .milliseconds(20))
            harness.clock.advance(by: .seconds(1))
        }
        for index in 0..<3 { try await harness.waitForStatus("v1-\(index)", .completed) }
        for index in 0..<8 {
            let record = try #require(try await harness.store.load(sagaId: "v2-\(index)"))
            #expect(record.leaseOwner == "newer", "a v2 saga is left for an instance that knows v2")
        }
        await older.shutdown()
    }
}

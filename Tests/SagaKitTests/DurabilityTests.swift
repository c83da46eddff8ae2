import Foundation
import SagaKit
import SagaKitTesting
import Testing

@Suite("Durable timers and signal waits")
struct DurabilityTests {
    @Test("a timer survives a restart: a new engine on the same store fires it at its time")
    func timerSurvivesRestart() async throws {
        let harness = SagaTestHarness()
        let log = EffectLog()
        let definition = TestSagas.timer(log: log, duration: .seconds(60))
        try harness.registry.register(definition)
        let first = harness.startEngine(harness.configuration(instanceId: "first"))
        _ = try await first.engine.start(definition, sagaId: "t", input: TestInput())
        let parked = try await harness.waitForParked("t", after: .timerStarted)
        let fireAt = try #require(parked.events(of: .timerStarted).first?.date("fireAt"))
        #expect(fireAt == SagaTime.adding(.seconds(60), to: TestClock.defaultStart))
        #expect(parked.dueAt == fireAt)
        #expect(parked.status == .running)
        await first.stop()

        let second = harness.startEngine(harness.configuration(instanceId: "second"))
        harness.clock.advance(by: .seconds(59))
        #expect(try await harness.store.load(sagaId: "t")?.events(of: .timerFired).isEmpty == true)
        harness.clock.advance(by: .seconds(1))
        let record = try await harness.waitForStatus("t", .completed)

        #expect(log.names == ["Before", "After"])
        let fired = try #require(record.events(of: .timerFired).first)
        #expect(fired.at >= fireAt)
        #expect(SagaReplayer.check(history: record.events, against: definition).isEmpty)
        await second.stop()
    }

    @Test("a timer fires in process without polling: the local timer heap wakes the saga at its due time")
    func timerFiresLocally() async throws {
        let harness = SagaTestHarness()
        let log = EffectLog()
        let definition = TestSagas.timer(log: log, duration: .milliseconds(250))
        try harness.registry.register(definition)
        let running = harness.startEngine(harness.configuration(pollInterval: .seconds(3600)))
        _ = try await running.engine.start(definition, sagaId: "local", input: TestInput())
        try await harness.waitForParked("local", after: .timerStarted)

        #expect(
            await harness.clock.waitForSleeper(dueBy: SagaTime.adding(.milliseconds(250), to: TestClock.defaultStart)))
        harness.clock.advance(by: .milliseconds(250))
        try await harness.waitForStatus("local", .completed)
        #expect(log.names == ["Before", "After"])
        await running.stop()
    }

    @Test("a signal sent while no engine runs is delivered by the next engine")
    func signalWhileDown() async throws {
        let harness = SagaTestHarness()
        let log = EffectLog()
        let definition = TestSagas.approval(log: log)
        try harness.registry.register(definition)
        let first = harness.startEngine(harness.configuration(instanceId: "first"))
        _ = try await first.engine.start(definition, sagaId: "w", input: TestInput(needsApproval: true))
        let waiting = try await harness.waitForStatus("w", .waiting)
        #expect(waiting.currentStep == "AwaitApproval")
        #expect(waiting.leaseOwner == nil)
        #expect(waiting.dueAt == SagaTime.adding(.seconds(3600), to: TestClock.defaultStart))
        await first.stop()

        let delivered = try await harness.store.sendSignal(
            sagaId: "w",
            signal: SagaSignalRecord(name: "approve", payload: ["by": "ops"], at: harness.clock.now)
        )
        #expect(delivered)

        let second = harness.startEngine(harness.configuration(instanceId: "second"))
        let record = try await harness.waitForStatus("w", .completed)
        #expect(log.names == ["Reserve", "Charge", "Ship"])
        let received = try #require(record.events(of: .signalReceived).first)
        #expect(received.step == "AwaitApproval")
        #expect(received.data?["applied"] == true)
        #expect(try SagaState.fold(record.events).results["AwaitApproval"] == ["by": "ops"])
        #expect(SagaReplayer.check(history: record.events, against: definition).isEmpty)
        await second.stop()
    }

    @Test("an approval that never comes times out at its deadline, and the saga is compensated")
    func approvalTimeout() async throws {
        let harness = SagaTestHarness()
        let log = EffectLog()
        let definition = TestSagas.approval(log: log, timeout: .seconds(86_400))
        try harness.registry.register(definition)
        let running = harness.startEngine()
        _ = try await running.engine.start(definition, sagaId: "late", input: TestInput(needsApproval: true))
        try await harness.waitForStatus("late", .waiting)

        harness.clock.advance(by: .seconds(86_399))
        #expect(try await harness.store.load(sagaId: "late")?.status == .waiting)
        harness.clock.advance(by: .seconds(1))
        let record = try await harness.waitForStatus("late", .compensated)

        #expect(log.names == ["Reserve", "Release"])
        #expect(record.events(of: .signalWaitTimedOut).count == 1)
        let failed = try #require(record.events(of: .stepFailed).first)
        #expect(failed.step == "AwaitApproval")
        #expect(failed.data?["error"]?["kind"] == "ApprovalTimeout")
        #expect(try await running.engine.signal(sagaId: "late", name: "approve") == .notApplicable(.compensated))
        #expect(SagaReplayer.check(history: record.events, against: definition).isEmpty)
        await running.stop()
    }

    @Test("a rejection fails the wait without retry and compensates")
    func rejection() async throws {
        let harness = SagaTestHarness()
        let log = EffectLog()
        let definition = TestSagas.approval(log: log)
        try harness.registry.register(definition)
        let engine = harness.makeEngine()
        _ = try await engine.start(definition, sagaId: "rej", input: TestInput(needsApproval: true))
        try await harness.waitForStatus("rej", .waiting)
        #expect(try await engine.signal(sagaId: "rej", name: "ship-it") == .notApplicable(.waiting))
        #expect(try await engine.signal(sagaId: "rej", name: "reject", payload: ["note": "fraud"]) == .accepted)
        let record = try await harness.waitForStatus("rej", .compensated)

        #expect(log.names == ["Reserve", "Release"])
        let failed = try #require(record.events(of: .stepFailed).first)
        #expect(failed.data?["error"]?["kind"] == "Rejected")
        #expect(failed.data?["retryable"] == false)
        await engine.shutdown()
    }

    @Test("a signal sent after the deadline loses to the timeout, even when processed later")
    func signalAfterDeadline() async throws {
        let harness = SagaTestHarness()
        let log = EffectLog()
        let definition = TestSagas.approval(log: log, timeout: .seconds(60))
        try harness.registry.register(definition)
        let engine = harness.makeEngine()
        _ = try await engine.start(definition, sagaId: "race", input: TestInput(needsApproval: true))
        try await harness.waitForStatus("race", .waiting)

        harness.clock.advance(by: .seconds(61))
        _ = try await harness.store.sendSignal(
            sagaId: "race", signal: SagaSignalRecord(name: "approve", at: harness.clock.now))
        await engine.pollDueSagas()
        let record = try await harness.waitForStatus("race", .compensated)

        #expect(log.names == ["Reserve", "Release"])
        #expect(record.types.contains("SignalWaitTimedOut"))
        #expect(record.events(of: .signalReceived).first?.data?["applied"] == false)
        #expect(SagaReplayer.check(history: record.events, against: definition).isEmpty)
        await engine.shutdown()
    }
}

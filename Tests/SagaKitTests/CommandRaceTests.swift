import Foundation
import SagaKit
import SagaKitTesting
import Testing

/// Commands decided on a snapshot land only while what they decided on (status, step, inbox) holds, so repeats and
/// races record once and a command never lands on a saga that moved on.
@Suite("Commands that repeat or race")
struct CommandRaceTests {
    @Test("once a wait's answer is in the inbox, a second approve or a reject is refused and records nothing")
    func answeredWait() async throws {
        let harness = SagaTestHarness()
        let log = EffectLog()
        let definition = TestSagas.approval(log: log)
        try harness.registry.register(definition)
        let first = harness.startEngine()
        _ = try await first.engine.start(definition, sagaId: "w", input: TestInput(needsApproval: true))
        try await harness.waitForStatus("w", .waiting)
        await first.stop()

        #expect(try await first.engine.signal(sagaId: "w", name: "approve") == .accepted)
        #expect(try await first.engine.signal(sagaId: "w", name: "approve") == .waitAnswered(by: "approve"))
        #expect(try await first.engine.signal(sagaId: "w", name: "reject") == .waitAnswered(by: "approve"))
        #expect(try await harness.store.load(sagaId: "w")?.inbox.map(\.name) == ["approve"])

        let second = harness.startEngine(harness.configuration(instanceId: "second"))
        let record = try await harness.waitForStatus("w", .completed)
        #expect(log.names == ["Reserve", "Charge", "Ship"])
        #expect(record.events(of: .signalReceived).map { $0.data?["applied"] } == [true])
        #expect(try await second.engine.signal(sagaId: "w", name: "approve") == .notApplicable(.completed))
        await second.stop()
    }

    @Test("of eight concurrent approves one is recorded; the others are told the wait is answered")
    func concurrentApproves() async throws {
        let harness = SagaTestHarness()
        let definition = TestSagas.approval(log: EffectLog())
        try harness.registry.register(definition)
        let running = harness.startEngine()
        _ = try await running.engine.start(definition, sagaId: "c", input: TestInput(needsApproval: true))
        try await harness.waitForStatus("c", .waiting)
        await running.stop()

        let engine = running.engine
        let outcomes = try await withThrowingTaskGroup(of: SagaCommandOutcome.self) { group in
            for _ in 0..<8 { group.addTask { try await engine.signal(sagaId: "c", name: "approve") } }
            return try await group.reduce(into: [SagaCommandOutcome]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 == .accepted }.count == 1)
        #expect(outcomes.filter { $0 == .waitAnswered(by: "approve") }.count == 7)
        #expect(try await harness.store.load(sagaId: "c")?.inbox.count == 1)
    }

    @Test("six concurrent reverts and cancels of one saga are each recorded once")
    func concurrentRevertsAndCancels() async throws {
        let harness = SagaTestHarness()
        let definition = TestSagas.fourSteps(log: EffectLog())
        try harness.registry.register(definition)
        let running = harness.startEngine()
        _ = try await running.engine.start(definition, sagaId: "done", input: TestInput())
        try await harness.waitForStatus("done", .completed)
        let approval = TestSagas.approval(log: EffectLog())
        try harness.registry.register(approval)
        _ = try await running.engine.start(approval, sagaId: "held", input: TestInput(needsApproval: true))
        try await harness.waitForStatus("held", .waiting)
        await running.stop()

        let engine = running.engine
        let outcomes = try await withThrowingTaskGroup(of: SagaCommandOutcome.self) { group in
            for _ in 0..<6 {
                group.addTask { try await engine.revert(sagaId: "done") }
                group.addTask { try await engine.cancel(sagaId: "held", payload: ["reason": "twice"]) }
            }
            return try await group.reduce(into: [SagaCommandOutcome]()) { $0.append($1) }
        }
        #expect(outcomes.allSatisfy { $0 == .accepted }, "a repeat answers as the first time")
        #expect(try await harness.store.load(sagaId: "done")?.inbox.map(\.name) == [SagaSignal.revert])
        #expect(try await harness.store.load(sagaId: "held")?.inbox.map(\.name) == [SagaSignal.cancel])
    }

    @Test("a cancel decided on a running saga that completes before its signal lands is refused, and records nothing")
    func cancelOvertakenByCompletion() async throws {
        let harness = SagaTestHarness()
        let lastStep = TestGate()
        let definition = TestSagas.fourSteps(log: EffectLog(), scripts: ["D": StepScript([.wait(lastStep)])])
        try harness.registry.register(definition)
        let running = harness.startEngine()
        _ = try await running.engine.start(definition, sagaId: "late", input: TestInput())
        try await harness.waitFor("late", "its last step running") { $0.currentStep == "D" }

        // Another instance reads the saga RUNNING; before its signal reaches the store, the last step ends.
        let racing = CountingHistoryStore(base: harness.store)
        racing.beforeSignal.withLock { hook in
            hook = { _ in
                racing.beforeSignal.withLock { $0 = nil }
                lastStep.open()
                try await harness.waitForStatus("late", .completed)
            }
        }
        let commands = harness.makeEngine(harness.configuration(instanceId: "commands"), store: racing)
        #expect(try await commands.cancel(sagaId: "late") == .notApplicable(.completed))
        #expect(racing.calls(for: "late")["sendSignal"] == 1, "the signal was tried once, on the stale read")
        let record = try #require(try await harness.store.load(sagaId: "late"))
        #expect(record.inbox.isEmpty, "a cancel of a completed saga records nothing")
        #expect(record.events(of: .signalReceived).isEmpty)
        await running.stop()
    }

    @Test("a cancel decided while a step retries lands at once, although the step made another attempt meanwhile")
    func cancelDuringRetries() async throws {
        let harness = SagaTestHarness()
        let firstTry = TestGate()
        let secondTry = TestGate()
        let definition = TestSagas.fourSteps(
            log: EffectLog(), scripts: ["B": StepScript([.failRetryableAfter(firstTry, "Busy"), .wait(secondTry)])])
        try harness.registry.register(definition)
        let running = harness.startEngine()
        _ = try await running.engine.start(definition, sagaId: "busy", input: TestInput())
        try await firstTry.waitForArrivals(1)

        // Between the command's read and its signal, the step fails and starts its second attempt.
        let racing = CountingHistoryStore(base: harness.store)
        racing.beforeSignal.withLock { hook in
            hook = { _ in
                racing.beforeSignal.withLock { $0 = nil }
                firstTry.open()
                try await harness.waitFor("busy", "a failed attempt of B") { !$0.events(of: .stepFailed).isEmpty }
                harness.clock.advance(by: .milliseconds(100))
                try await secondTry.waitForArrivals(1)
            }
        }
        let commands = harness.makeEngine(harness.configuration(instanceId: "commands"), store: racing)
        #expect(try await commands.cancel(sagaId: "busy") == .accepted)
        #expect(racing.calls(for: "busy")["sendSignal"] == 1, "the signal landed on its first try")
        secondTry.open()
        let record = try await harness.waitForStatus("busy", .cancelled)
        #expect(record.inbox.map(\.name) == [SagaSignal.cancel])
        await running.stop()
    }
}

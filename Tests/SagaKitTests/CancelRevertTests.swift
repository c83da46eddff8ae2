import Foundation
import SagaKit
import SagaKitTesting
import Testing

@Suite("Cancel and revert")
struct CancelRevertTests {
    @Test("a cancel while waiting ends the wait at once and compensates; the saga ends CANCELLED")
    func cancelWhileWaiting() async throws {
        let recorded = try await Scenarios.cancelWhileWaiting()
        let record = recorded.record
        #expect(recorded.log.names == ["Reserve", "Release"])
        #expect(record.status == .cancelled)
        let cancel = try #require(record.events(of: .cancelRequested).first)
        #expect(cancel.data?["applied"] == true)
        #expect(cancel.data?["reason"] == "customer changed their mind")
        let state = try SagaState.fold(record.events)
        #expect(state.step(named: "AwaitApproval")?.status == .cancelled)
        #expect(record.events(of: .sagaCompensating).first?.data?["cause"] == "cancel")
    }

    @Test("a cancel while a step runs lets it finish, starts nothing after it, and compensates it")
    func cancelWhileStepRuns() async throws {
        let harness = SagaTestHarness()
        let log = EffectLog()
        let gate = TestGate()
        let definition = TestSagas.fourSteps(log: log, scripts: ["B": StepScript([.wait(gate)])])
        try harness.registry.register(definition)
        let engine = harness.makeEngine()
        _ = try await engine.start(definition, sagaId: "c", input: TestInput())
        try await gate.waitForArrivals(1)

        #expect(try await engine.cancel(sagaId: "c", payload: ["reason": "changed mind"]) == .accepted)
        #expect(try await engine.cancel(sagaId: "c", payload: ["reason": "again"]) == .accepted)
        gate.open()
        let record = try await harness.waitForStatus("c", .cancelled)

        #expect(log.names == ["A", "B", "undoB", "undoA"])
        let types = record.types
        let completedB = try #require(
            types.firstIndex(of: "StepCompleted").map { types.index(after: $0) }.flatMap { start in
                types[start...].firstIndex(of: "StepCompleted")
            })
        #expect(Array(types[completedB...].prefix(3)) == ["StepCompleted", "CancelRequested", "SagaCompensating"])
        #expect(record.events(of: .cancelRequested).count == 1)
        #expect(record.inbox.count == 1)
        #expect(SagaReplayer.check(history: record.events, against: definition).isEmpty)
        await engine.shutdown()
    }

    @Test("a cancel during a retry's backoff compensates the uncertain step too")
    func cancelDuringBackoff() async throws {
        let harness = SagaTestHarness()
        let log = EffectLog()
        let definition = TestSagas.fourSteps(log: log, scripts: ["B": StepScript([.failRetryable("Timeout")])])
        try harness.registry.register(definition)
        let engine = harness.makeEngine()
        _ = try await engine.start(definition, sagaId: "cb", input: TestInput())
        try await harness.waitForParked("cb", after: .stepFailed)

        #expect(try await engine.cancel(sagaId: "cb") == .accepted)
        let record = try await harness.waitForStatus("cb", .cancelled)

        #expect(log.names == ["A", "B", "undoB", "undoA"])
        #expect(record.events(of: .stepStarted).count == 2)
        await engine.shutdown()
    }

    @Test("a cancel during compensation is recorded but skips nothing and changes no final status")
    func cancelDuringCompensation() async throws {
        let harness = SagaTestHarness()
        let log = EffectLog()
        let gate = TestGate()
        let definition = TestSagas.fourSteps(
            log: log,
            scripts: ["D": StepScript([.failNonRetryable("Broken")])],
            compensationScripts: ["undoC": StepScript([.wait(gate)])]
        )
        try harness.registry.register(definition)
        let engine = harness.makeEngine()
        _ = try await engine.start(definition, sagaId: "cc", input: TestInput())
        try await gate.waitForArrivals(1)

        #expect(try await engine.cancel(sagaId: "cc", payload: ["reason": "late"]) == .notApplicable(.compensating))
        gate.open()
        let record = try await harness.waitForStatus("cc", .compensated)

        #expect(log.names == ["A", "B", "C", "D", "undoC", "undoB", "undoA"])
        let cancel = try #require(record.events(of: .cancelRequested).first)
        #expect(cancel.data?["applied"] == false)
        #expect(record.types.last == "SagaCompensated")
        #expect(SagaReplayer.check(history: record.events, against: definition).isEmpty)
        await engine.shutdown()
    }

    @Test("a cancel of a terminal saga does not apply and records nothing")
    func cancelTerminal() async throws {
        let harness = SagaTestHarness()
        let log = EffectLog()
        let definition = TestSagas.fourSteps(log: log)
        try harness.registry.register(definition)
        let engine = harness.makeEngine()
        _ = try await engine.start(definition, sagaId: "done", input: TestInput())
        let before = try await harness.waitForStatus("done", .completed)

        #expect(try await engine.cancel(sagaId: "done") == .notApplicable(.completed))
        #expect(try await engine.cancel(sagaId: "nope") == .notFound)
        #expect(try await engine.signal(sagaId: "done", name: "approve") == .notApplicable(.completed))
        #expect(try await harness.store.load(sagaId: "done") == before)
        await engine.shutdown()
    }

    @Test(
        "a revert of a completed saga compensates every completed step in reverse and ends REVERTED; a second revert is ignored"
    )
    func revert() async throws {
        let harness = SagaTestHarness()
        let log = EffectLog()
        let definition = TestSagas.fourSteps(log: log)
        try harness.registry.register(definition)
        let engine = harness.makeEngine()
        _ = try await engine.start(definition, sagaId: "rv", input: TestInput())
        try await harness.waitForStatus("rv", .completed)
        #expect(try await engine.retry(sagaId: "rv") == .notApplicable(.completed))

        #expect(try await engine.revert(sagaId: "rv") == .accepted)
        let record = try await harness.waitForStatus("rv", .reverted)
        #expect(log.names == ["A", "B", "C", "D", "undoC", "undoB", "undoA"])
        #expect(record.events(of: .sagaCompensating).first?.data?["cause"] == "revert")

        #expect(try await engine.revert(sagaId: "rv") == .notApplicable(.reverted))
        #expect(try await engine.signal(sagaId: "rv", name: SagaSignal.revert) == .notApplicable(.reverted))
        #expect(try await harness.store.load(sagaId: "rv") == record)
        #expect(log.names.count == 7)
        #expect(SagaReplayer.check(history: record.events, against: definition).isEmpty)
        await engine.shutdown()
    }

    @Test("a revert that reaches the inbox twice compensates once")
    func doubleRevertInInbox() async throws {
        let harness = SagaTestHarness()
        let log = EffectLog()
        let definition = TestSagas.fourSteps(log: log)
        try harness.registry.register(definition)
        let engine = harness.makeEngine()
        _ = try await engine.start(definition, sagaId: "rv2", input: TestInput())
        try await harness.waitForStatus("rv2", .completed)

        for _ in 0..<2 {
            _ = try await harness.store.sendSignal(
                sagaId: "rv2", signal: SagaSignalRecord(name: SagaSignal.revert, at: harness.clock.now))
        }
        await engine.pollDueSagas()
        let record = try await harness.waitForStatus("rv2", .reverted)

        #expect(log.names == ["A", "B", "C", "D", "undoC", "undoB", "undoA"])
        #expect(record.events(of: .revertRequested).map { $0.data?["applied"] } == [true, false])
        await engine.shutdown()
    }
}

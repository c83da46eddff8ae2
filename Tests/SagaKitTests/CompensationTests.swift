import Foundation
import SagaKit
import SagaKitTesting
import Testing

@Suite("Compensation")
struct CompensationTests {
    /// A, B, C, D, each with a compensation.
    private static func allCompensated(
        log: EffectLog, scripts: [String: StepScript] = [:], compensationScripts: [String: StepScript] = [:]
    ) -> SagaDefinition<TestInput> {
        SagaDefinition(name: "all-compensated", version: 1) {
            for name in ["A", "B", "C", "D"] {
                TestSagas.step(
                    name, log: log, script: scripts[name] ?? .succeed,
                    compensation: "undo\(name)", compensationScript: compensationScripts["undo\(name)"] ?? .succeed
                )
            }
        }
    }

    @Test(
        "a definitive failure compensates the completed steps in reverse; the failed step and never-started steps are not compensated"
    )
    func reverseOrderDefinitive() async throws {
        let harness = SagaTestHarness()
        let log = EffectLog()
        let definition = Self.allCompensated(log: log, scripts: ["C": StepScript([.failNonRetryable("Declined")])])
        try harness.registry.register(definition)
        let engine = harness.makeEngine()
        _ = try await engine.start(definition, sagaId: "r", input: TestInput())
        let record = try await harness.waitForStatus("r", .compensated)

        #expect(log.names == ["A", "B", "C", "undoB", "undoA"])
        #expect(log.keys("undoB") == ["r/undoB"])
        let compensating = try #require(record.events(of: .sagaCompensating).first)
        #expect(compensating.data?["cause"] == "failure")
        #expect(compensating.data?["failedStep"] == "C")
        #expect(compensating.data?["error"]?["kind"] == "Declined")
        #expect(record.steps(of: .compensationStarted) == ["undoB", "undoA"])
        #expect(record.types.last == "SagaCompensated")
        #expect(SagaReplayer.check(history: record.events, against: definition).isEmpty)
        await engine.shutdown()
    }

    @Test("a step whose last failure was retryable (uncertain outcome) is compensated too, first")
    func uncertainStepCompensated() async throws {
        let harness = SagaTestHarness()
        let log = EffectLog()
        let definition = Self.allCompensated(
            log: log, scripts: ["C": StepScript(otherwise: .failRetryable("GatewayTimeout"))])
        try harness.registry.register(definition)
        let engine = harness.makeEngine()
        _ = try await engine.start(definition, sagaId: "u", input: TestInput())
        for count in 1...2 {
            try await harness.waitForParked("u", after: .stepFailed, count: count)
            harness.clock.advance(by: .seconds(1))
            await engine.pollDueSagas()
        }
        let record = try await harness.waitForStatus("u", .compensated)

        #expect(log.names == ["A", "B", "C", "C", "C", "undoC", "undoB", "undoA"])
        #expect(record.steps(of: .compensationStarted) == ["undoC", "undoB", "undoA"])
        #expect(SagaReplayer.check(history: record.events, against: definition).isEmpty)
        await engine.shutdown()
    }

    @Test("steps without a compensation, skipped steps and waits are passed over silently")
    func nothingToCompensate() async throws {
        let harness = SagaTestHarness()
        let log = EffectLog()
        let definition = SagaDefinition<TestInput>(name: "mixed", version: 1) {
            TestSagas.step("A", log: log, compensation: "undoA")
            TestSagas.step("NoUndo", log: log)
            TestSagas.step("Skipped", log: log, compensation: "undoSkipped").when { _ in false }
            SignalWaitStep<TestInput>("Approve", continueOn: ["approve"], timeout: nil, onTimeout: nil)
            TestSagas.step("Fails", log: log, script: StepScript([.failNonRetryable("No")]), compensation: "undoFails")
        }
        try harness.registry.register(definition)
        let engine = harness.makeEngine()
        _ = try await engine.start(definition, sagaId: "m", input: TestInput())
        try await harness.waitForStatus("m", .waiting)
        #expect(try await engine.signal(sagaId: "m", name: "approve") == .accepted)
        let record = try await harness.waitForStatus("m", .compensated)

        #expect(log.names == ["A", "NoUndo", "Fails", "undoA"])
        let plan = try #require(record.events(of: .sagaCompensating).first?.data?["compensations"]?.arrayValue)
        #expect(plan == [["step": "A", "compensation": "undoA"]])
        await engine.shutdown()
    }

    @Test("a compensation that fails twice and then succeeds is retried by its policy")
    func compensationRetried() async throws {
        let harness = SagaTestHarness()
        let log = EffectLog()
        let definition = Self.allCompensated(
            log: log,
            scripts: ["C": StepScript([.failNonRetryable("Declined")])],
            compensationScripts: ["undoB": StepScript([.failRetryable("Down"), .failRetryable("Down")])]
        )
        try harness.registry.register(definition)
        let engine = harness.makeEngine()
        _ = try await engine.start(definition, sagaId: "cr", input: TestInput())
        for (count, delay) in [(1, 100), (2, 200)] {
            let record = try await harness.waitForParked("cr", after: .compensationFailed, count: count)
            let failed = record.events(of: .compensationFailed)[count - 1]
            #expect(failed.date("nextAttemptAt") == SagaTime.adding(.milliseconds(Int64(delay)), to: failed.at))
            harness.clock.advance(by: .milliseconds(Int64(delay)))
            await engine.pollDueSagas()
        }
        let record = try await harness.waitForStatus("cr", .compensated)

        #expect(log.names == ["A", "B", "C", "undoB", "undoB", "undoB", "undoA"])
        #expect(record.events(of: .compensationStarted).filter { $0.step == "undoB" }.map(\.attempt) == [1, 2, 3])
        #expect(Set(log.keys("undoB")) == ["cr/undoB"])
        await engine.shutdown()
    }

    @Test("a compensation that keeps failing leaves the saga STUCK; an operator retry finishes it with a fresh budget")
    func stuckThenRetry() async throws {
        let harness = SagaTestHarness()
        let log = EffectLog()
        let definition = Self.allCompensated(
            log: log,
            scripts: ["C": StepScript([.failNonRetryable("Declined")])],
            compensationScripts: [
                "undoB": StepScript([
                    .failRetryable("Down"), .failRetryable("Down"), .failRetryable("Down"), .failRetryable("Down"),
                ])
            ]
        )
        try harness.registry.register(definition)
        let engine = harness.makeEngine()
        _ = try await engine.start(definition, sagaId: "st", input: TestInput())
        for count in 1...2 {
            try await harness.waitForParked("st", after: .compensationFailed, count: count)
            harness.clock.advance(by: .seconds(1))
            await engine.pollDueSagas()
        }
        let stuck = try await harness.waitForStatus("st", .stuck)
        #expect(stuck.currentStep == "undoB")
        #expect(stuck.dueAt == nil)
        #expect(stuck.leaseOwner == nil)
        #expect(stuck.types.suffix(2) == ["CompensationFailed", "SagaStuck"])
        #expect(try await engine.revert(sagaId: "st") == .notApplicable(.stuck))

        harness.clock.advance(by: .seconds(3600))
        await engine.pollDueSagas()
        #expect(log.count("undoB") == 3)
        #expect(try await harness.store.load(sagaId: "st")?.status == .stuck)

        #expect(try await engine.retry(sagaId: "st") == .accepted)
        let afterRetry = try await harness.waitForParked("st", after: .compensationFailed, count: 4)
        let fourth = afterRetry.events(of: .compensationFailed)[3]
        #expect(fourth.attempt == 4)
        #expect(fourth.date("nextAttemptAt") == SagaTime.adding(.milliseconds(100), to: fourth.at))
        harness.clock.advance(by: .milliseconds(100))
        await engine.pollDueSagas()
        let record = try await harness.waitForStatus("st", .compensated)

        #expect(log.names == ["A", "B", "C", "undoB", "undoB", "undoB", "undoB", "undoB", "undoA"])
        #expect(record.events(of: .retryRequested).first?.data?["applied"] == true)
        #expect(try await engine.retry(sagaId: "st") == .notApplicable(.compensated))
        #expect(SagaReplayer.check(history: record.events, against: definition).isEmpty)
        await engine.shutdown()
    }

    @Test("a compensation's context carries the undone step's result and idempotency key, or nil when uncertain")
    func compensationContext() async throws {
        let harness = SagaTestHarness()
        let seen = EffectLog()
        let definition = SagaDefinition<TestInput>(name: "context", version: 1) {
            ActionStep<TestInput>("Charge", retryPolicy: .never) { context in
                Receipt(step: "Charge", key: context.idempotencyKey, attempt: context.attempt)
            }
            .compensate("Refund") { context in
                let receipt = try context.stepResult(as: Receipt.self)
                seen.record(
                    "Refund",
                    key: "\(context.stepIdempotencyKey)|\(receipt?.key ?? "uncertain")|\(context.cause.rawValue)",
                    attempt: context.attempt)
            }
            ActionStep<TestInput>("Ship", retryPolicy: .never) { context -> Receipt in
                let charge = try context.result(of: "Charge", as: Receipt.self)
                seen.record("Ship", key: charge.key, attempt: context.attempt)
                throw StepError.retryable(kind: "CarrierDown", message: "503")
            }
            .compensate("CancelShipment") { context in
                seen.record(
                    "CancelShipment",
                    key: "\(context.stepIdempotencyKey)|\(context.stepResult == nil ? "uncertain" : "known")",
                    attempt: context.attempt)
            }
        }
        try harness.registry.register(definition)
        let engine = harness.makeEngine()
        _ = try await engine.start(definition, sagaId: "ctx", input: TestInput())
        try await harness.waitForStatus("ctx", .compensated)

        #expect(seen.all.map(\.name) == ["Ship", "CancelShipment", "Refund"])
        #expect(seen.all.map(\.key) == ["ctx/Charge", "ctx/Ship|uncertain", "ctx/Charge|ctx/Charge|failure"])
        await engine.shutdown()
    }
}

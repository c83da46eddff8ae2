import Foundation
import SagaKit
import SagaKitTesting

/// Recorded histories of typical sagas, produced by really running them on an engine.
enum Scenarios {
    struct Recorded {
        let record: SagaRecord
        let definition: SagaDefinition<TestInput>
        let log: EffectLog
    }

    /// A, B, C, D all succeed.
    static func happy() async throws -> Recorded {
        let harness = SagaTestHarness()
        let log = EffectLog()
        let definition = TestSagas.fourSteps(log: log)
        try harness.registry.register(definition)
        let engine = harness.makeEngine()
        _ = try await engine.start(definition, sagaId: "happy", input: TestInput())
        let record = try await harness.waitForStatus("happy", .completed)
        await engine.shutdown()
        return Recorded(record: record, definition: definition, log: log)
    }

    /// C fails definitively; B and A are compensated.
    static func failure() async throws -> Recorded {
        let harness = SagaTestHarness()
        let log = EffectLog()
        let definition = TestSagas.fourSteps(log: log, scripts: ["C": StepScript([.failNonRetryable("Declined")])])
        try harness.registry.register(definition)
        let engine = harness.makeEngine()
        _ = try await engine.start(definition, sagaId: "failure", input: TestInput())
        let record = try await harness.waitForStatus("failure", .compensated)
        await engine.shutdown()
        return Recorded(record: record, definition: definition, log: log)
    }

    /// C fails retryably until its retries run out (uncertain: compensated too); undoB fails until STUCK,
    /// then an operator retry finishes the compensation.
    static func stuckThenRetry() async throws -> Recorded {
        let harness = SagaTestHarness()
        let log = EffectLog()
        let definition = TestSagas.fourSteps(
            log: log,
            scripts: ["C": StepScript(otherwise: .failRetryable("Unavailable"))],
            compensationScripts: [
                "undoB": StepScript([.failRetryable("Down"), .failRetryable("Down"), .failRetryable("Down")])
            ]
        )
        try harness.registry.register(definition)
        let engine = harness.makeEngine()
        _ = try await engine.start(definition, sagaId: "stuck", input: TestInput())
        for count in 1...2 {
            try await harness.waitForParked("stuck", after: .stepFailed, count: count)
            harness.clock.advance(by: .seconds(1))
            await engine.pollDueSagas()
        }
        for count in 1...2 {
            try await harness.waitForParked("stuck", after: .compensationFailed, count: count)
            harness.clock.advance(by: .seconds(1))
            await engine.pollDueSagas()
        }
        try await harness.waitForStatus("stuck", .stuck)
        _ = try await engine.retry(sagaId: "stuck")
        let record = try await harness.waitForStatus("stuck", .compensated)
        await engine.shutdown()
        return Recorded(record: record, definition: definition, log: log)
    }

    /// An approval saga cancelled while it waits.
    static func cancelWhileWaiting() async throws -> Recorded {
        let harness = SagaTestHarness()
        let log = EffectLog()
        let definition = TestSagas.approval(log: log)
        try harness.registry.register(definition)
        let engine = harness.makeEngine()
        _ = try await engine.start(definition, sagaId: "cancel", input: TestInput(needsApproval: true))
        try await harness.waitForStatus("cancel", .waiting)
        _ = try await engine.cancel(sagaId: "cancel", payload: ["reason": "customer changed their mind"])
        let record = try await harness.waitForStatus("cancel", .cancelled)
        await engine.shutdown()
        return Recorded(record: record, definition: definition, log: log)
    }

    /// A completed saga, reverted.
    static func revert() async throws -> Recorded {
        let harness = SagaTestHarness()
        let log = EffectLog()
        let definition = TestSagas.fourSteps(log: log)
        try harness.registry.register(definition)
        let engine = harness.makeEngine()
        _ = try await engine.start(definition, sagaId: "revert", input: TestInput())
        try await harness.waitForStatus("revert", .completed)
        _ = try await engine.revert(sagaId: "revert")
        let record = try await harness.waitForStatus("revert", .reverted)
        await engine.shutdown()
        return Recorded(record: record, definition: definition, log: log)
    }

    /// Every scenario above.
    static func all() async throws -> [(name: String, recorded: Recorded)] {
        [
            ("happy", try await happy()),
            ("failure", try await failure()),
            ("stuck then retry", try await stuckThenRetry()),
            ("cancel while waiting", try await cancelWhileWaiting()),
            ("revert", try await revert()),
        ]
    }
}

import Foundation
import SagaKitTesting
import Testing

@testable import SagaKit

/// Nothing an engine keeps grows without bound: histories, timers, tracked attempts.
@Suite("Bounds")
struct BoundsTests {
    private static let twoAttempts = RetryPolicy(
        initialInterval: .milliseconds(100), maximumInterval: .milliseconds(100), maximumAttempts: 2, jitter: 0)

    @Test("a step that gives up without compensating leaves the saga STUCK; an operator's retry resumes it")
    func stuckWhenExhausted() async throws {
        let harness = SagaTestHarness()
        let log = EffectLog()
        let confirm = StepScript([.failRetryable("Down"), .failRetryable("Down")])
        let definition = SagaDefinition<TestInput>(name: "confirm", version: 1) {
            TestSagas.step("Ship", log: log, compensation: "unship")
            TestSagas.step("Confirm", log: log, script: confirm, retry: Self.twoAttempts).stuckWhenExhausted()
        }
        try harness.registry.register(definition)
        let engine = harness.makeEngine()
        _ = try await engine.start(definition, sagaId: "s", input: TestInput())
        let failed = try await harness.waitForParked("s", after: .stepFailed)
        harness.clock.advance(to: try #require(failed.dueAt))
        await engine.pollDueSagas()
        let stuck = try await harness.waitForStatus("s", .stuck)
        #expect(stuck.currentStep == "Confirm")
        #expect(log.keys("unship").isEmpty, "a shipped order is not undone because its confirmation failed")
        #expect(try await engine.signal(sagaId: "s", name: SagaSignal.cancel) == .notApplicable(.stuck))

        #expect(try await engine.retry(sagaId: "s") == .accepted)
        let done = try await harness.waitForStatus("s", .completed)
        #expect(done.events(of: .stepStarted).filter { $0.step == "Confirm" }.map(\.attempt) == [1, 2, 3])
        #expect(SagaReplayer.check(history: done.events, against: definition).isEmpty)
        await engine.shutdown()
    }

    @Test("a step retried without limit stops at the history's limit: the saga compensates instead of growing")
    func historyLimit() async throws {
        let harness = SagaTestHarness()
        let log = EffectLog()
        let unlimited = RetryPolicy(
            initialInterval: .milliseconds(10), maximumInterval: .milliseconds(10), maximumAttempts: 0, jitter: 0)
        let definition = SagaDefinition<TestInput>(name: "forever", version: 1) {
            TestSagas.step("A", log: log, compensation: "undoA")
            TestSagas.step("Flaky", log: log, script: StepScript(otherwise: .failRetryable("Busy")), retry: unlimited)
        }
        try harness.registry.register(definition)
        var configuration = harness.configuration()
        configuration.maxHistoryEvents = 60
        let engine = harness.makeEngine(configuration)
        _ = try await engine.start(definition, sagaId: "f", input: TestInput())
        for _ in 0..<100 {
            if try await harness.store.load(sagaId: "f")?.status == .compensated { break }
            harness.clock.advance(by: .milliseconds(10))
            await engine.pollDueSagas()
            try await Task.sleep(for: .milliseconds(2))
        }
        let record = try await harness.waitForStatus("f", .compensated)
        #expect(record.events.count <= 60)
        #expect(log.keys("undoA") == ["f/undoA"])
        let last = try #require(record.events(of: .stepFailed).last)
        #expect(last.data?["error"]?["message"]?.stringValue?.contains("history reached its limit") == true)
        await engine.shutdown()
    }

    @Test("cancelled timers do not pile up in the timer heap")
    func timerHeapCompacts() {
        var timers = TimerHeap<String>()
        let start = Date(timeIntervalSince1970: 1_000)
        for round in 0..<1_000 {
            timers.schedule("s-\(round % 10)", at: start.addingTimeInterval(Double(round)))
            timers.cancel("s-\(round % 10)")
        }
        #expect(timers.count == 0)
        #expect(timers.storedEntries <= 16, "stale entries are dropped, not kept until they surface")
        timers.schedule("kept", at: start)
        #expect(timers.popDue(now: start) == ["kept"])
    }

    @Test("an attempt that ends before it is tracked is not tracked for ever")
    func attemptTracking() async {
        let lifecycle = EngineLifecycle()
        let id = lifecycle.nextAttemptId()
        lifecycle.untrack(id)
        lifecycle.track(id, Task {})
        #expect(lifecycle.trackedAttempts == 0)
        let other = lifecycle.nextAttemptId()
        lifecycle.track(other, Task {})
        #expect(lifecycle.trackedAttempts == 1)
        lifecycle.untrack(other)
        #expect(lifecycle.trackedAttempts == 0)
    }

    @Test("the default instance id is unique per start, even for two processes with one host name and pid")
    func uniqueInstanceIds() {
        let ids = Set((0..<50).map { _ in SagaEngine.Configuration.defaultInstanceId() })
        #expect(ids.count == 50)
    }
}

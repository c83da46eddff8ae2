import Foundation
import SagaKit
import SagaKitTesting
import Testing

@Suite("Retries, backoff and timeouts")
struct RetryTests {
    private static let policy = RetryPolicy(
        initialInterval: .milliseconds(100),
        backoffCoefficient: 2,
        maximumInterval: .milliseconds(300),
        maximumAttempts: 5,
        jitter: 0
    )

    @Test("retry times recorded in history follow the policy: 100 ms, 200 ms, then capped at the maximum")
    func backoffSchedule() async throws {
        let harness = SagaTestHarness()
        let log = EffectLog()
        let script = StepScript([.failRetryable("Busy"), .failRetryable("Busy"), .failRetryable("Busy")])
        let definition = SagaDefinition<TestInput>(name: "backoff", version: 1) {
            TestSagas.step("Flaky", log: log, script: script, retry: Self.policy)
        }
        try harness.registry.register(definition)
        let engine = harness.makeEngine()
        _ = try await engine.start(definition, sagaId: "b", input: TestInput())

        var delays: [Int64] = []
        for count in 1...3 {
            let record = try await harness.waitForParked("b", after: .stepFailed, count: count)
            let failed = record.events(of: .stepFailed)[count - 1]
            let next = try #require(failed.date("nextAttemptAt"))
            delays.append(SagaTime.milliseconds(next) - SagaTime.milliseconds(failed.at))
            #expect(record.dueAt == next)
            harness.clock.advance(to: next)
            await engine.pollDueSagas()
        }
        let record = try await harness.waitForStatus("b", .completed)

        #expect(delays == [100, 200, 300])
        #expect(log.all.map(\.attempt) == [1, 2, 3, 4])
        #expect(Set(log.keys("Flaky")) == ["b/Flaky"])
        #expect(record.events(of: .stepStarted).map(\.attempt) == [1, 2, 3, 4])
        #expect(SagaReplayer.check(history: record.events, against: definition).isEmpty)
        await engine.shutdown()
    }

    @Test("a retry does not start before its time")
    func noEarlyRetry() async throws {
        let harness = SagaTestHarness()
        let log = EffectLog()
        let definition = SagaDefinition<TestInput>(name: "early", version: 1) {
            TestSagas.step("Flaky", log: log, script: StepScript([.failRetryable("Busy")]), retry: Self.policy)
        }
        try harness.registry.register(definition)
        let engine = harness.makeEngine()
        _ = try await engine.start(definition, sagaId: "e", input: TestInput())
        try await harness.waitForParked("e", after: .stepFailed)

        harness.clock.advance(by: .milliseconds(99))
        await engine.pollDueSagas()
        #expect(try await harness.store.load(sagaId: "e")?.status == .running)
        #expect(log.count("Flaky") == 1)

        harness.clock.advance(by: .milliseconds(1))
        await engine.pollDueSagas()
        try await harness.waitForStatus("e", .completed)
        #expect(log.count("Flaky") == 2)
        await engine.shutdown()
    }

    @Test("a non-retryable error is not retried")
    func nonRetryable() async throws {
        let harness = SagaTestHarness()
        let log = EffectLog()
        let definition = SagaDefinition<TestInput>(name: "nonretryable", version: 1) {
            TestSagas.step("Pay", log: log, script: StepScript([.failNonRetryable("CardDeclined")]), retry: Self.policy)
        }
        try harness.registry.register(definition)
        let engine = harness.makeEngine()
        _ = try await engine.start(definition, sagaId: "n", input: TestInput())
        let record = try await harness.waitForStatus("n", .compensated)

        #expect(log.count("Pay") == 1)
        let failed = try #require(record.events(of: .stepFailed).first)
        #expect(failed.data?["retryable"] == false)
        #expect(failed.data?["nextAttemptAt"] == nil)
        #expect(failed.data?["error"]?["kind"] == "CardDeclined")
        await engine.shutdown()
    }

    @Test("error kinds listed as non-retryable in the policy are not retried")
    func nonRetryableKinds() async throws {
        let harness = SagaTestHarness()
        let log = EffectLog()
        var policy = Self.policy
        policy.nonRetryableErrorKinds = ["InsufficientStock"]
        let definition = SagaDefinition<TestInput>(name: "kinds", version: 1) {
            TestSagas.step(
                "Reserve", log: log, script: StepScript([.failRetryable("InsufficientStock")]), retry: policy)
        }
        try harness.registry.register(definition)
        let engine = harness.makeEngine()
        _ = try await engine.start(definition, sagaId: "k", input: TestInput())
        let record = try await harness.waitForStatus("k", .compensated)

        #expect(log.count("Reserve") == 1)
        let state = try SagaState.fold(record.events)
        #expect(
            state.step(named: "Reserve")?.lastError
                == .nonRetryable(kind: "InsufficientStock", message: "scripted retryable failure"))
        await engine.shutdown()
    }

    @Test("retries stop after the policy's maximum attempts")
    func exhausted() async throws {
        let harness = SagaTestHarness()
        let log = EffectLog()
        var policy = Self.policy
        policy.maximumAttempts = 2
        let definition = SagaDefinition<TestInput>(name: "exhausted", version: 1) {
            TestSagas.step("Flaky", log: log, script: StepScript(otherwise: .failRetryable("Busy")), retry: policy)
        }
        try harness.registry.register(definition)
        let engine = harness.makeEngine()
        _ = try await engine.start(definition, sagaId: "x", input: TestInput())
        try await harness.waitForParked("x", after: .stepFailed)
        harness.clock.advance(by: .milliseconds(100))
        await engine.pollDueSagas()
        let record = try await harness.waitForStatus("x", .compensated)

        #expect(log.count("Flaky") == 2)
        let failures = record.events(of: .stepFailed)
        #expect(failures.count == 2)
        #expect(failures[1].data?["nextAttemptAt"] == nil)
        #expect(failures[1].data?["retryable"] == true)
        await engine.shutdown()
    }

    @Test("a step that hangs times out as a retryable Timeout failure and is retried")
    func timeout() async throws {
        let harness = SagaTestHarness()
        let log = EffectLog()
        let definition = SagaDefinition<TestInput>(name: "timeout", version: 1) {
            TestSagas.step("Slow", log: log, script: StepScript([.hang]), retry: Self.policy, timeout: .seconds(2))
        }
        try harness.registry.register(definition)
        let engine = harness.makeEngine()
        _ = try await engine.start(definition, sagaId: "t", input: TestInput())

        #expect(await harness.clock.waitForSleepers(count: 1))
        #expect(harness.clock.nextDeadline == SagaTime.adding(.seconds(2), to: TestClock.defaultStart))
        harness.clock.advance(by: .seconds(2))
        let parked = try await harness.waitForParked("t", after: .stepFailed)
        let failed = try #require(parked.events(of: .stepFailed).first)
        #expect(failed.data?["error"]?["kind"] == "Timeout")
        #expect(failed.data?["retryable"] == true)
        #expect(
            failed.data?["nextAttemptAt"]?.stringValue
                == SagaTime.format(SagaTime.adding(.milliseconds(2100), to: TestClock.defaultStart)))

        harness.clock.advance(by: .milliseconds(100))
        await engine.pollDueSagas()
        try await harness.waitForStatus("t", .completed)
        #expect(log.all.map(\.attempt) == [1, 2])
        await engine.shutdown()
    }

    @Test("an error that is not a StepError is retryable, with its type name as kind")
    func plainError() async throws {
        let harness = SagaTestHarness()
        let log = EffectLog()
        let definition = SagaDefinition<TestInput>(name: "plain", version: 1) {
            TestSagas.step("Odd", log: log, script: StepScript([.throwPlain]), retry: Self.policy)
        }
        try harness.registry.register(definition)
        let engine = harness.makeEngine()
        _ = try await engine.start(definition, sagaId: "p", input: TestInput())
        let parked = try await harness.waitForParked("p", after: .stepFailed)
        let failed = try #require(parked.events(of: .stepFailed).first)
        #expect(failed.data?["error"]?["kind"] == "PlainFailure")
        #expect(failed.data?["error"]?["message"] == "plain failure")
        #expect(failed.data?["retryable"] == true)
        await engine.shutdown()
    }

    @Test("jittered retry times stay within the policy's bounds and replay cleanly")
    func jitterBounds() async throws {
        let harness = SagaTestHarness()
        let log = EffectLog()
        let policy = RetryPolicy(
            initialInterval: .seconds(1), backoffCoefficient: 2, maximumInterval: .seconds(10), maximumAttempts: 4,
            jitter: 0.5)
        let definition = SagaDefinition<TestInput>(name: "jitter", version: 1) {
            TestSagas.step(
                "Flaky", log: log,
                script: StepScript([.failRetryable("Busy"), .failRetryable("Busy"), .failRetryable("Busy")]),
                retry: policy)
        }
        try harness.registry.register(definition)
        let engine = harness.makeEngine(harness.configuration(seed: 7))
        _ = try await engine.start(definition, sagaId: "j", input: TestInput())
        for count in 1...3 {
            let record = try await harness.waitForParked("j", after: .stepFailed, count: count)
            let failed = record.events(of: .stepFailed)[count - 1]
            let next = try #require(failed.date("nextAttemptAt"))
            let delay = SagaTime.interval(from: failed.at, to: next)
            #expect(policy.delayBounds(beforeAttempt: count + 1).contains(delay))
            harness.clock.advance(to: next)
            await engine.pollDueSagas()
        }
        let record = try await harness.waitForStatus("j", .completed)
        #expect(SagaReplayer.check(history: record.events, against: definition).isEmpty)
        await engine.shutdown()
    }
}

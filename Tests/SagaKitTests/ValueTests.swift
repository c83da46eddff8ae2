import Foundation
import SagaKit
import SagaKitTesting
import Testing

@Suite("Values: errors, retry policy, time")
struct ValueTests {
    @Test("dates format with exactly three fractional digits and parse back exactly")
    func dates() {
        let date = SagaTime.date(milliseconds: 1_735_689_600_007)
        #expect(SagaTime.format(date) == "2025-01-01T00:00:00.007Z")
        #expect(SagaTime.parse("2025-01-01T00:00:00.007Z") == date)
        #expect(SagaTime.parse("2025-01-01T00:00:00Z") == SagaTime.date(milliseconds: 1_735_689_600_000))
        #expect(SagaTime.parse("yesterday") == nil)
        #expect(SagaTime.truncated(date.addingTimeInterval(0.0004)) == date)
    }

    @Test("the delay before attempt n is min(initial × coeff^(n-2), max) × (1 + jitter × (2u − 1))")
    func delayFormula() {
        let policy = RetryPolicy(
            initialInterval: .milliseconds(100), backoffCoefficient: 3, maximumInterval: .seconds(1),
            maximumAttempts: 0, jitter: 0.2)
        #expect(policy.delay(beforeAttempt: 2, randomUnit: 0.5) == .milliseconds(100))
        #expect(policy.delay(beforeAttempt: 3, randomUnit: 0.5) == .milliseconds(300))
        #expect(policy.delay(beforeAttempt: 4, randomUnit: 0.5) == .milliseconds(900))
        #expect(policy.delay(beforeAttempt: 5, randomUnit: 0.5) == .seconds(1))
        #expect(policy.delay(beforeAttempt: 3, randomUnit: 0) == .milliseconds(240))
        #expect(policy.delay(beforeAttempt: 3, randomUnit: 1) == .milliseconds(360))
        #expect(policy.delayBounds(beforeAttempt: 5) == .milliseconds(800) ... .milliseconds(1200))
        #expect(policy.allowsAnotherAttempt(after: 1000))
        #expect(!RetryPolicy(maximumAttempts: 3).allowsAnotherAttempt(after: 3))
    }

    @Test("a retry policy encodes its durations as milliseconds")
    func policyCodable() throws {
        let policy = RetryPolicy(
            initialInterval: .milliseconds(250), maximumInterval: .seconds(5), maximumAttempts: 4,
            nonRetryableErrorKinds: ["B", "A"], jitter: 0.1)
        let json = try JSONValue(encoding: policy)
        #expect(json["initialIntervalMs"] == 250)
        #expect(json["maximumIntervalMs"] == 5000)
        #expect(json["nonRetryableErrorKinds"] == ["A", "B"])
        #expect(try json.decode(as: RetryPolicy.self) == policy)
    }

    @Test("errors are classified: StepErrors as they are, others retryable with their type name")
    func classification() {
        #expect(
            StepError.classify(StepError.nonRetryable(kind: "X", message: "m"))
                == .nonRetryable(kind: "X", message: "m"))
        #expect(StepError.classify(PlainFailure()) == .retryable(kind: "PlainFailure", message: "plain failure"))
        #expect(StepError.timeout(after: .seconds(2)).kind == "Timeout")
        #expect(StepError.timeout(after: .seconds(2)).retryable)
        let policy = RetryPolicy(nonRetryableErrorKinds: ["X"])
        #expect(!policy.classify(.retryable(kind: "X", message: "m")).retryable)
        #expect(policy.classify(.retryable(kind: "Y", message: "m")).retryable)
    }

    @Test("a registry refuses invalid definitions and keeps versions apart")
    func registry() throws {
        let log = EffectLog()
        let registry = SagaRegistry()
        try registry.register(TestSagas.fourSteps(log: log, version: 1))
        try registry.register(TestSagas.fourSteps(log: log, version: 2))
        #expect(registry.latest("four")?.version == 2)
        #expect(registry.versions(of: "four") == [1, 2])
        #expect(throws: SagaDefinitionError.alreadyRegistered(name: "four", version: 1)) {
            try registry.register(TestSagas.fourSteps(log: log, version: 1))
        }
        let duplicate = SagaDefinition<TestInput>(name: "dup", version: 1) {
            TestSagas.step("A", log: log, compensation: "A")
        }
        #expect(throws: SagaDefinitionError.duplicateName("A")) { try registry.register(duplicate) }
        let reserved = SagaDefinition<TestInput>(name: "reserved", version: 1) {
            SignalWaitStep<TestInput>("Wait", continueOn: ["cancel"], timeout: nil, onTimeout: nil)
        }
        #expect(throws: SagaDefinitionError.reservedSignal(step: "Wait", signal: "cancel")) {
            try registry.register(reserved)
        }
    }

    @Test("the test clock wakes sleepers in deadline order when time passes their deadline")
    func testClock() async throws {
        let clock = TestClock()
        let order = EffectLog()
        let late = Task {
            try await clock.sleep(until: clock.now.addingTimeInterval(2))
            order.record("late", key: "", attempt: 0)
        }
        let early = Task {
            try await clock.sleep(until: clock.now.addingTimeInterval(1))
            order.record("early", key: "", attempt: 0)
        }
        #expect(await clock.waitForSleepers(count: 2))
        clock.advance(by: .milliseconds(999))
        #expect(clock.sleeperCount == 2)
        clock.advance(by: .seconds(5))
        try await early.value
        try await late.value
        #expect(clock.sleeperCount == 0)
        #expect(Set(order.names) == ["early", "late"])

        let cancelled = Task { try await clock.sleep(until: clock.now.addingTimeInterval(60)) }
        #expect(await clock.waitForSleepers(count: 1))
        cancelled.cancel()
        await #expect(throws: CancellationError.self) { try await cancelled.value }
        #expect(clock.sleeperCount == 0)
    }
}

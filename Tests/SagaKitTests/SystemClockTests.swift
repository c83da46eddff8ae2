import Foundation
import Logging
import SagaKit
import SagaKitTesting
import Testing

@Suite("On the system clock")
struct SystemClockTests {
    @Test("retries, a timer and a timeout work with real time, without a test clock")
    func realTime() async throws {
        let store = InMemoryHistoryStore(clock: SystemClock())
        let registry = SagaRegistry()
        let log = EffectLog()
        let policy = RetryPolicy(
            initialInterval: .milliseconds(10), maximumInterval: .milliseconds(20), maximumAttempts: 4, jitter: 0.5)
        let definition = SagaDefinition<TestInput>(name: "real", version: 1) {
            TestSagas.step(
                "Flaky", log: log, script: StepScript([.failRetryable("Busy"), .failRetryable("Busy")]), retry: policy)
            TimerStep<TestInput>("Nap", duration: .milliseconds(20))
            TestSagas.step("Slow", log: log, script: StepScript([.hang]), retry: policy, timeout: .milliseconds(30))
        }
        try registry.register(definition)
        var logger = Logger(label: "real-time")
        logger.logLevel = .critical
        let engine = SagaEngine(
            store: store,
            registry: registry,
            configuration: SagaEngine.Configuration(instanceId: "real", pollInterval: .milliseconds(50)),
            logger: logger
        )
        #expect(engine.configuration.renewInterval == .seconds(10))
        let running = Task { try await engine.run() }
        _ = try await engine.start(definition, sagaId: "real-1", input: TestInput())

        // Generous for a loaded machine: the loop ends as soon as the saga completes.
        let limit = ContinuousClock.now.advanced(by: .seconds(30))
        var record = try await store.load(sagaId: "real-1")
        while record?.status != .completed, ContinuousClock.now < limit {
            try await Task.sleep(for: .milliseconds(5))
            record = try await store.load(sagaId: "real-1")
        }
        let finished = try #require(record)
        #expect(finished.status == .completed)
        #expect(log.names == ["Flaky", "Flaky", "Flaky", "Slow", "Slow"])
        let timeout = try #require(finished.events(of: .stepFailed).last)
        #expect(timeout.data?["error"]?["kind"] == "Timeout")
        #expect(SagaReplayer.check(history: finished.events, against: definition).isEmpty)
        await engine.shutdown()
        _ = await running.result
    }
}

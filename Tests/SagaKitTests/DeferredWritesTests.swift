import Foundation
import InMemoryTracing
import MetricsTestKit
import SagaKit
import SagaKitTesting
import Synchronization
import Testing

/// A step's last business writes handed to the engine (``StepContext/deferWrites(_:)``), made by the store with the
/// append that records the step's completion.
@Suite("Deferred writes")
struct DeferredWritesTests {
    /// The business writes a test step makes: by whom, and whether deferred to the store.
    final class Ledger: Sendable {
        private let entries = Mutex<[String]>([])
        /// Whether the next deferred write the store makes is refused (once).
        let refuseNext = Mutex(false)

        func record(_ entry: String) { entries.withLock { $0.append(entry) } }
        var all: [String] { entries.withLock { $0 } }

        /// The deferred write `name`, refused when ``refuseNext`` says so.
        func deferred(_ name: String) -> TestOutcomeWrites {
            TestOutcomeWrites { [self] in
                let refused = refuseNext.withLock { refuse in
                    defer { refuse = false }
                    return refuse
                }
                if refused { throw Refused() }
                record("store:\(name)")
            }
        }
    }

    struct Refused: Error {}

    /// One step that defers its write when it may (making it itself otherwise), then a plain step.
    static func definition(ledger: Ledger, failAfterDeferring: Bool = false, gate: TestGate? = nil)
        -> SagaDefinition<TestInput>
    {
        SagaDefinition(name: "deferring", version: 1) {
            ActionStep<TestInput>("Hold", timeout: .seconds(5)) { context in
                try await gate?.wait()
                ledger.record("run:\(context.attempt):\(context.mayDeferWrites ? "may-defer" : "makes")")
                if context.mayDeferWrites {
                    try context.deferWrites(ledger.deferred("hold"))
                    if failAfterDeferring { throw StepError.nonRetryable(kind: "Failed", message: "after deferring") }
                } else {
                    ledger.record("step:hold")
                }
                return Receipt(step: "Hold", key: context.idempotencyKey, attempt: context.attempt)
            }
            TestSagas.step("Next", log: EffectLog())
        }
    }

    static func harness() -> SagaTestHarness {
        let clock = TestClock()
        return SagaTestHarness(
            store: FaultInjectingHistoryStore(wrapping: InMemoryHistoryStore(clock: clock), takingOutcomeWrites: true),
            clock: clock)
    }

    /// Runs saga `sagaId` of ``definition(ledger:failAfterDeferring:gate:)`` on a running engine of `harness` until it
    /// reaches `status`; its record, and whether the engine takes outcome writes.
    static func run(
        _ sagaId: String, until status: SagaStatus, harness: SagaTestHarness, ledger: Ledger,
        failAfterDeferring: Bool = false, metrics: TestMetrics? = nil, tracer: InMemoryTracer? = nil
    ) async throws -> (record: SagaRecord, takesOutcomeWrites: Bool) {
        let definition = Self.definition(ledger: ledger, failAfterDeferring: failAfterDeferring)
        try harness.registry.register(definition)
        let running = harness.startEngine(Self.configuration(of: harness, metrics: metrics, tracer: tracer))
        defer { Task { await running.stop() } }
        _ = try await running.engine.start(definition, sagaId: sagaId, input: TestInput())
        return (try await harness.waitForStatus(sagaId, status), running.engine.takesOutcomeWrites)
    }

    /// `harness`'s configuration, with the engine's metrics and spans going to `metrics` and `tracer`.
    static func configuration(of harness: SagaTestHarness, metrics: TestMetrics?, tracer: InMemoryTracer? = nil)
        -> SagaEngine.Configuration
    {
        var configuration = harness.configuration()
        configuration.metricsFactory = metrics
        configuration.tracer = tracer
        return configuration
    }

    /// How many attempts of step `Hold` the engine counted, by outcome.
    static func holdAttempts(_ metrics: TestMetrics) -> [String: Int64] {
        var counted: [String: Int64] = [:]
        for outcome in ["completed", "failed", "timeout"] {
            let counter = try? metrics.expectCounter(
                "saga_step_attempts_total", [("step", "Hold"), ("outcome", outcome)])
            if let total = counter?.totalValue, total > 0 { counted[outcome] = total }
        }
        return counted
    }

    /// The `saga.outcome` of each finished span of step `Hold`, in the order they ended.
    static func holdSpanOutcomes(_ tracer: InMemoryTracer) -> [String] {
        tracer.finishedSpans.filter { $0.operationName == "Hold" }.map { span in
            guard case .string(let outcome) = span.attributes["saga.outcome"]?.toSpanAttribute() else { return "-" }
            return outcome
        }
    }

    @Test("a deferred write is made by the store with the append that records the step's completion, once")
    func madeWithCompletion() async throws {
        let harness = Self.harness()
        let ledger = Ledger()
        let metrics = TestMetrics()
        let tracer = InMemoryTracer()
        let (record, _) = try await Self.run(
            "d-1", until: .completed, harness: harness, ledger: ledger, metrics: metrics, tracer: tracer)

        #expect(ledger.all == ["run:1:may-defer", "store:hold"])
        let appends = await harness.faults!.appendsAfterWrites
        #expect(appends.count == 1)
        #expect(appends.first?.events.first?.type == "StepCompleted")
        #expect(appends.first?.events.first?.step == "Hold")
        #expect(record.types.filter { $0 == "StepFailed" }.isEmpty)
        #expect(Self.holdAttempts(metrics) == ["completed": 1])
        #expect(Self.holdSpanOutcomes(tracer) == ["StepCompleted"])
    }

    @Test("a refused deferred write runs the same attempt again at once, which makes its writes itself")
    func refusedRunsAgain() async throws {
        let harness = Self.harness()
        let ledger = Ledger()
        ledger.refuseNext.withLock { $0 = true }
        let metrics = TestMetrics()
        let tracer = InMemoryTracer()
        let (record, _) = try await Self.run(
            "d-2", until: .completed, harness: harness, ledger: ledger, metrics: metrics, tracer: tracer)

        // No clock advance: the second run did not wait for a retry's backoff.
        #expect(ledger.all == ["run:1:may-defer", "run:1:makes", "step:hold"])
        #expect(await harness.faults!.appendsAfterWrites.isEmpty)
        #expect(
            Array(record.types.prefix(4)) == ["SagaStarted", "StepScheduled", "StepStarted", "StepCompleted"])
        #expect(record.types.filter { $0 == "StepFailed" }.isEmpty)
        // The run whose writes were refused is not an attempt of its own: the attempt counts once, by its rerun,
        // and the refused run's span says so.
        #expect(Self.holdAttempts(metrics) == ["completed": 1])
        #expect(Self.holdSpanOutcomes(tracer) == ["WritesRefused", "StepCompleted"])
    }

    @Test("writes deferred by a run that then fails are not made")
    func failedRunMakesNothing() async throws {
        let harness = Self.harness()
        let ledger = Ledger()
        _ = try await Self.run(
            "d-3", until: .compensated, harness: harness, ledger: ledger, failAfterDeferring: true)

        #expect(ledger.all == ["run:1:may-defer"])
        #expect(await harness.faults!.appendsAfterWrites.isEmpty)
    }

    @Test("with a store that takes no outcome writes, a step may not defer and makes its writes itself")
    func storeWithout() async throws {
        let ledger = Ledger()
        let (_, takes) = try await Self.run("d-4", until: .completed, harness: SagaTestHarness(), ledger: ledger)

        #expect(ledger.all == ["run:1:makes", "step:hold"])
        #expect(!takes)
    }

    @Test("a start after writes records the saga only when they applied")
    func startAfterWrites() async throws {
        let harness = Self.harness()
        let ledger = Ledger()
        let definition = Self.definition(ledger: ledger)
        try harness.registry.register(definition)
        let engine = harness.makeEngine()
        #expect(engine.takesOutcomeWrites)

        ledger.refuseNext.withLock { $0 = true }
        await #expect {
            try await engine.start(definition, sagaId: "d-5", input: TestInput(), after: ledger.deferred("order"))
        } throws: { error in
            guard case HistoryStoreError.outcomeWritesRefused(let refusal) = error else { return false }
            return refusal is Refused
        }
        #expect(try await harness.store.load(sagaId: "d-5") == nil)

        _ = try await engine.start(definition, sagaId: "d-5", input: TestInput(), after: ledger.deferred("order"))
        try await harness.waitForStatus("d-5", .completed)
        #expect(ledger.all.first == "store:order")
        await engine.shutdown()
    }

    /// Starts saga `sagaId`, shuts the engine down while its step runs (the deferred writes refused at the
    /// hand-over when `refusing`), and returns what was handed over, the step's writes and the engine's metrics.
    static func handedOver(_ sagaId: String, refusing: Bool) async throws -> (SagaRecord, Ledger, TestMetrics) {
        let harness = Self.harness()
        let ledger = Ledger()
        let gate = TestGate()
        let definition = Self.definition(ledger: ledger, gate: gate)
        try harness.registry.register(definition)
        let metrics = TestMetrics()
        let engine = harness.makeEngine(Self.configuration(of: harness, metrics: metrics))
        _ = try await engine.start(definition, sagaId: sagaId, input: TestInput())
        try await gate.waitForArrivals(1)

        let stopping = Task { await engine.shutdown() }
        try await waitUntil { !engine.isAcceptingWork }
        if refusing { ledger.refuseNext.withLock { $0 = true } }
        gate.open()
        await stopping.value
        return (try #require(try await harness.store.load(sagaId: sagaId)), ledger, metrics)
    }

    @Test(
        "a shutdown whose hand-over finds the deferred writes refused runs the attempt again and hands over its outcome"
    )
    func handOverRefused() async throws {
        let (handed, ledger, metrics) = try await Self.handedOver("d-6", refusing: true)
        #expect(handed.types == ["SagaStarted", "StepScheduled", "StepStarted", "StepCompleted"])
        #expect(handed.leaseOwner == nil)
        #expect(handed.dueAt != nil)
        #expect(ledger.all == ["run:1:may-defer", "run:1:makes", "step:hold"])
        #expect(Self.holdAttempts(metrics) == ["completed": 1])
    }

    @Test("a shutdown whose hand-over makes the deferred writes counts the attempt once, as it ended")
    func handOverMade() async throws {
        let (handed, ledger, metrics) = try await Self.handedOver("d-8", refusing: false)
        #expect(handed.types == ["SagaStarted", "StepScheduled", "StepStarted", "StepCompleted"])
        #expect(ledger.all == ["run:1:may-defer", "store:hold"])
        #expect(Self.holdAttempts(metrics) == ["completed": 1])
    }

    @Test("an append that meets a new signal after its writes were made appends again without making them again")
    func inboxChangedKeepsWrites() async throws {
        let harness = Self.harness()
        let ledger = Ledger()
        let definition = Self.definition(ledger: ledger)
        try harness.registry.register(definition)
        let faults = harness.faults!
        let clock = harness.clock
        await faults.setOnAppend { request in
            guard request.events.contains(where: { $0.type == "StepCompleted" && $0.step == "Hold" }),
                request.expectedInboxCount == 0
            else { return }
            _ = try? await faults.base.sendSignal(
                sagaId: request.sagaId, signal: SagaSignalRecord(name: "note", at: clock.now))
        }
        let metrics = TestMetrics()
        let running = harness.startEngine(Self.configuration(of: harness, metrics: metrics))
        defer { Task { await running.stop() } }

        _ = try await running.engine.start(definition, sagaId: "d-7", input: TestInput())
        let record = try await harness.waitForStatus("d-7", .completed)

        #expect(record.inbox.count == 1, "the signal did arrive between the writes and the append")
        #expect(ledger.all == ["run:1:may-defer", "store:hold"], "made once, by the store")
        #expect(await faults.appendsAfterWrites.count == 1, "the second append carried no writes")
        #expect(record.types.filter { $0 == "StepCompleted" }.count == 2)
        #expect(Self.holdAttempts(metrics) == ["completed": 1], "the writes were made: the attempt counts as it ended")
    }
}

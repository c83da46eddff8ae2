import Foundation
import SagaKit
import SagaKitTesting
import Testing

@Suite("Several executors on one store")
struct MultiEngineTests {
    private static func probedDefinition(probe: ConcurrencyProbe, log: EffectLog, flaky: StepScript) -> SagaDefinition<
        TestInput
    > {
        SagaDefinition(name: "probed", version: 1) {
            for name in ["One", "Two", "Three"] {
                ActionStep<TestInput>(
                    name,
                    retryPolicy: RetryPolicy(initialInterval: .milliseconds(100), maximumAttempts: 0, jitter: 0)
                ) { context in
                    try await probe.around("\(context.sagaId)/\(name)") {
                        log.record(name, key: context.idempotencyKey, attempt: context.attempt)
                        for _ in 0..<3 { await Task.yield() }
                        if name == "Two" { try await flaky.perform() }
                        return Receipt(step: name, key: context.idempotencyKey, attempt: context.attempt)
                    }
                }
            }
        }
    }

    @Test("two engines on one store never run the same step at the same time, and every saga completes once")
    func noConcurrentSteps() async throws {
        let harness = SagaTestHarness()
        let probe = ConcurrencyProbe()
        let log = EffectLog()
        let flaky = StepScript(Array(repeating: .failRetryable("Busy"), count: 30))
        let definition = Self.probedDefinition(probe: probe, log: log, flaky: flaky)
        try harness.registry.register(definition)
        let firstStore = CountingHistoryStore(base: harness.store)
        let secondStore = CountingHistoryStore(base: harness.store)
        let first = harness.makeEngine(harness.configuration(instanceId: "first"), store: firstStore)
        let second = harness.makeEngine(harness.configuration(instanceId: "second"), store: secondStore)
        let ids = (0..<20).map { "m-\($0)" }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, id) in ids.enumerated() {
                group.addTask {
                    _ = try await (index.isMultiple(of: 2) ? first : second).start(
                        definition, sagaId: id, input: TestInput())
                }
            }
            try await group.waitForAll()
        }

        for id in ids {
            try await harness.waitForParked(id, after: .stepFailed)
        }
        var round = 0
        let limit = ContinuousClock.now.advanced(by: .seconds(20))
        while ContinuousClock.now < limit {
            let records = try await ids.asyncMap { try await harness.store.load(sagaId: $0) }
            if records.allSatisfy({ $0?.status == .completed }) { break }
            harness.clock.advance(by: .milliseconds(100))
            round += 1
            if round % 3 == 1 {
                await second.pollDueSagas()
            } else {
                async let fromFirst: Void = first.pollDueSagas()
                async let fromSecond: Void = second.pollDueSagas()
                _ = await (fromFirst, fromSecond)
            }
            try await Task.sleep(for: .milliseconds(1))
        }
        for id in ids {
            let record = try await harness.waitForStatus(id, .completed, timeout: .seconds(1))
            #expect(record.steps(of: .stepCompleted) == ["One", "Two", "Three"])
            #expect(SagaReplayer.check(history: record.events, against: definition).isEmpty)
        }
        #expect(probe.maximum == 1)
        #expect(log.count("One") == 20)
        #expect(log.count("Two") == 50)
        #expect(log.count("Three") == 20)
        let startedByFirst = ids.enumerated().filter { $0.offset.isMultiple(of: 2) }.map(\.element)
        let handedOver = startedByFirst.filter { secondStore.calls(for: $0)["append", default: 0] > 0 }
        #expect(!handedOver.isEmpty, "sagas started by one engine were continued by the other")
        await first.shutdown()
        await second.shutdown()
    }

    @Test("when one engine crashes, the other finishes its sagas after their leases expire")
    func crashFailover() async throws {
        let harness = SagaTestHarness()
        let log = EffectLog()
        let gate = TestGate()
        let definition = TestSagas.fourSteps(
            log: log, scripts: ["B": StepScript(Array(repeating: .wait(gate), count: 3))])
        try harness.registry.register(definition)
        let crashing = harness.startEngine(harness.configuration(instanceId: "crashing"))
        let survivor = harness.startEngine(harness.configuration(instanceId: "survivor"))
        let ids = ["f-1", "f-2", "f-3"]
        for id in ids {
            _ = try await crashing.engine.start(definition, sagaId: id, input: TestInput())
        }
        try await gate.waitForArrivals(3)
        await crashing.crash()
        gate.open()

        for id in ids {
            let record = try #require(try await harness.store.load(sagaId: id))
            #expect(record.leaseOwner == "crashing")
            #expect(record.types.last == "StepStarted")
        }
        harness.clock.advance(by: .seconds(29))
        await survivor.engine.pollDueSagas()
        for id in ids {
            #expect(try await harness.store.load(sagaId: id)?.leaseOwner == "crashing")
        }

        // Each advance is followed by a poll of its own: the survivor's poll loop may be between two polls when the
        // clock moves, and would then sleep a whole interval on a clock nothing advances any more.
        harness.clock.advance(by: .seconds(2))
        await survivor.engine.pollDueSagas()
        for id in ids {
            try await harness.waitForParked(id, after: .stepFailed)
        }
        harness.clock.advance(by: .seconds(1))
        await survivor.engine.pollDueSagas()
        for id in ids {
            let record = try await harness.waitForStatus(id, .completed)
            let interrupted = try #require(record.events(of: .stepFailed).first)
            #expect(interrupted.step == "B")
            #expect(interrupted.data?["error"]?["kind"] == "AttemptInterrupted")
            #expect(record.events(of: .stepStarted).filter { $0.step == "B" }.map(\.attempt) == [1, 2])
            #expect(SagaReplayer.check(history: record.events, against: definition).isEmpty)
        }
        #expect(log.count("A") == 3)
        #expect(log.count("B") == 6)
        #expect(log.count("C") == 3)
        #expect(Set(log.keys("B")) == Set(ids.map { "\($0)/B" }))
        await survivor.stop()
    }
}

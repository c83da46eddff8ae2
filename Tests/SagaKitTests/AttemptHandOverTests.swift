import Foundation
import SagaKitTesting
import Testing

@testable import SagaKit

/// An attempt runs on its runner's own task; when its timeout or a hard stop comes first, a fresh task goes on with
/// the saga and whatever the attempt returns later is dropped.
@Suite("Attempt hand-over")
struct AttemptHandOverTests {
    private static let policy = RetryPolicy(
        initialInterval: .milliseconds(100), maximumInterval: .seconds(1), maximumAttempts: 3, jitter: 0)

    @Test(
        "a step deaf to cancellation still times out on time: the saga goes on at once, and the attempt's late return records nothing"
    )
    func timeoutOfAnAttemptDeafToCancellation() async throws {
        let harness = SagaTestHarness()
        let log = EffectLog()
        let gate = TestGate()
        let definition = SagaDefinition<TestInput>(name: "deaf", version: 1) {
            TestSagas.step(
                "Deaf", log: log, script: StepScript([.waitIgnoringCancellation(gate)]), retry: Self.policy,
                timeout: .seconds(2))
            TestSagas.step("Next", log: log)
        }
        try harness.registry.register(definition)
        let counting = CountingHistoryStore(base: harness.store)
        let engine = harness.makeEngine(store: counting)
        _ = try await engine.start(definition, sagaId: "d", input: TestInput())
        try await gate.waitForArrivals(1)

        #expect(await harness.clock.waitForSleepers(count: 1))
        harness.clock.advance(by: .seconds(2))
        let parked = try await harness.waitForParked("d", after: .stepFailed)
        #expect(parked.events(of: .stepFailed).first?.data?["error"]?["kind"] == "Timeout")
        // The first attempt still holds its task: the engine tracks it as running.
        #expect(engine.lifecycle.trackedAttempts == 1)

        harness.clock.advance(by: .milliseconds(100))
        await engine.pollDueSagas()
        let completed = try await harness.waitForStatus("d", .completed)
        #expect(log.all.filter { $0.name == "Deaf" }.map(\.attempt) == [1, 2])

        let appends = counting.calls(for: "d")["append"]
        gate.open()
        try await waitUntil { engine.lifecycle.trackedAttempts == 0 }
        #expect(counting.calls(for: "d")["append"] == appends, "the late return tries no append")
        let after = try #require(try await harness.store.load(sagaId: "d"))
        #expect(after.lastSeq == completed.lastSeq)
        #expect(after.events(of: .stepCompleted).count == 2)
        await engine.shutdown()
    }

    @Test(
        "a timeout during a graceful shutdown is recorded and the lease released; the shutdown does not wait for the attempt"
    )
    func timeoutDuringAGracefulShutdown() async throws {
        let harness = SagaTestHarness()
        let log = EffectLog()
        let gate = TestGate()
        let definition = SagaDefinition<TestInput>(name: "late", version: 1) {
            TestSagas.step(
                "Deaf", log: log, script: StepScript([.waitIgnoringCancellation(gate)]), retry: Self.policy,
                timeout: .seconds(2))
        }
        try harness.registry.register(definition)
        let counting = CountingHistoryStore(base: harness.store)
        let engine = harness.makeEngine(harness.configuration(instanceId: "first"), store: counting)
        _ = try await engine.start(definition, sagaId: "t", input: TestInput())
        try await gate.waitForArrivals(1)

        let stopping = Task { await engine.shutdown() }
        // The attempt's deadline and the grace period's.
        try await waitUntil { engine.deadlines.pendingCount == 2 }
        harness.clock.advance(by: .seconds(2))
        await stopping.value

        let stopped = try #require(try await harness.store.load(sagaId: "t"))
        #expect(stopped.types.last == "StepFailed")
        #expect(stopped.events(of: .stepFailed).first?.data?["error"]?["kind"] == "Timeout")
        #expect(stopped.leaseOwner == nil)
        #expect(stopped.dueAt != nil)
        #expect(engine.lifecycle.trackedAttempts == 1, "the attempt still holds its task")

        let appends = counting.calls(for: "t")["append"]
        gate.open()
        try await waitUntil { engine.lifecycle.trackedAttempts == 0 }
        #expect(counting.calls(for: "t")["append"] == appends)
    }

    @Test(
        "the task a timed-out attempt keeps holds no slot: its saga keeps one, and a start queued behind it runs when it ends"
    )
    func slotsAcrossAHandOver() async throws {
        let harness = SagaTestHarness()
        let log = EffectLog()
        let (deaf, second) = (TestGate(), TestGate())
        let definition = SagaDefinition<TestInput>(name: "slots", version: 1) {
            TestSagas.step(
                "X", log: log, script: StepScript([.waitIgnoringCancellation(deaf), .wait(second)]),
                retry: Self.policy, timeout: .seconds(2))
        }
        try harness.registry.register(definition)
        let engine = harness.makeEngine(harness.configuration(maxConcurrentSagas: 1))
        _ = try await engine.start(definition, sagaId: "x", input: TestInput())
        try await deaf.waitForArrivals(1)
        #expect(await harness.clock.waitForSleepers(count: 1))
        harness.clock.advance(by: .seconds(2))
        _ = try await harness.waitForParked("x", after: .stepFailed)
        harness.clock.advance(by: .milliseconds(100))
        await engine.pollDueSagas()
        try await second.waitForArrivals(1)

        _ = try await engine.start(definition, sagaId: "y", input: TestInput())
        deaf.open()
        try await waitUntil { engine.lifecycle.trackedAttempts == 0 }
        #expect(await engine.heldCount == 1)
        #expect(try await harness.store.load(sagaId: "y")?.leaseOwner == nil, "y waits for the slot x holds")

        second.open()
        try await harness.waitForStatus("x", .completed)
        try await harness.waitForStatus("y", .completed)
        try await waitUntil { await engine.heldCount == 0 }
        #expect(engine.slots.freeSlots == 1)
        await engine.shutdown()
    }

    @Test(
        "a shutdown whose attempt is deaf to cancellation returns after the grace period, leaves the lease to expire, and records nothing late"
    )
    func shutdownPastTheGracePeriod() async throws {
        let harness = SagaTestHarness()
        let log = EffectLog()
        let gate = TestGate()
        let definition = SagaDefinition<TestInput>(name: "grace", version: 1) {
            TestSagas.step("A", log: log)
            TestSagas.step(
                "B", log: log, script: StepScript([.waitIgnoringCancellation(gate)]), timeout: .seconds(60))
        }
        try harness.registry.register(definition)
        let engine = harness.makeEngine(harness.configuration(instanceId: "first"))
        _ = try await engine.start(definition, sagaId: "g", input: TestInput())
        try await gate.waitForArrivals(1)

        let stopping = Task { await engine.shutdown() }
        // B's deadline and the grace period's.
        try await waitUntil { engine.deadlines.pendingCount == 2 }
        harness.clock.advance(by: .seconds(10))
        await stopping.value

        let stopped = try #require(try await harness.store.load(sagaId: "g"))
        #expect(stopped.types.last == "StepStarted")
        #expect(stopped.leaseOwner == "first")
        #expect(await engine.heldCount == 0)

        gate.open()
        try await waitUntil { engine.lifecycle.trackedAttempts == 0 }
        let after = try #require(try await harness.store.load(sagaId: "g"))
        #expect(after.lastSeq == stopped.lastSeq)
        #expect(log.names == ["A", "B"])
    }

    @Test("a hard stop during an attempt deaf to cancellation lets the saga go at once and records nothing")
    func crashDuringAnAttemptDeafToCancellation() async throws {
        let harness = SagaTestHarness()
        let log = EffectLog()
        let gate = TestGate()
        let definition = SagaDefinition<TestInput>(name: "crash", version: 1) {
            TestSagas.step("A", log: log, script: StepScript([.waitIgnoringCancellation(gate)]))
        }
        try harness.registry.register(definition)
        let engine = harness.makeEngine()
        _ = try await engine.start(definition, sagaId: "c", input: TestInput())
        try await gate.waitForArrivals(1)
        let before = try #require(try await harness.store.load(sagaId: "c"))

        let crashed = Task { await engine.simulateCrash() }
        try await waitUntil { await engine.heldCount == 0 }
        gate.open()
        await crashed.value

        let after = try #require(try await harness.store.load(sagaId: "c"))
        #expect(after.lastSeq == before.lastSeq)
        #expect(after.leaseOwner == before.leaseOwner)
        #expect(engine.lifecycle.trackedAttempts == 0)
    }
}

import Foundation
import SagaKitTesting
import Synchronization
import Testing

@testable import SagaKit

/// A start is worked out before the engine's turn; one that then waits records the time it is written at.
@Suite("Start plans")
struct StartPlanTests {
    struct Refused: Error {}

    @Test("a start that waited for another start of its id records its time and lease from when it was written")
    func waitedStartIsWorkedOutAgain() async throws {
        let clock = TestClock()
        let store = CountingHistoryStore(base: InMemoryHistoryStore(clock: clock))
        let gate = TestGate()
        let calls = Atomic<Int>(0)
        store.beforeStart.withLock {
            $0 = { _ in
                // The first start waits at the store until the test lets it fail; later ones go through.
                guard calls.add(1, ordering: .relaxed).newValue == 1 else { return }
                try await gate.wait()
                throw Refused()
            }
        }
        let stepGate = TestGate()
        let definition = TestSagas.fourSteps(log: EffectLog(), scripts: ["A": StepScript([.wait(stepGate)])])
        let registry = SagaRegistry()
        try registry.register(definition)
        let engine = SagaEngine(
            store: store, registry: registry, configuration: .init(instanceId: "e-1", clock: clock))
        let asked = clock.now

        let first = Task { try await engine.start(definition, sagaId: "s-1", input: TestInput()) }
        try await gate.waitForArrivals(1)
        let second = Task { try await engine.start(definition, sagaId: "s-1", input: TestInput()) }
        // The second start has made its plan and waits behind the first.
        for _ in 0..<500 where engine.slots.startsWaiting(for: "s-1") != 1 {
            try await Task.sleep(for: .milliseconds(2))
        }
        #expect(engine.slots.startsWaiting(for: "s-1") == 1)

        clock.advance(by: .seconds(600))
        gate.open()
        await #expect(throws: Refused.self) { try await first.value }
        #expect(try await second.value.isCreated)
        let record = try #require(try await store.load(sagaId: "s-1"))
        #expect(record.startedAt == SagaTime.truncated(clock.now), "asked at \(asked), written 600 s later")
        #expect((record.leaseUntil ?? .distantPast) > clock.now, "the lease is not spent before it is taken")
        stepGate.open()
        await engine.shutdown()
    }
}

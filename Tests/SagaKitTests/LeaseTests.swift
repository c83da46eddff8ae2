import Foundation
import SagaKit
import SagaKitTesting
import Synchronization
import Testing

@Suite("Leases under a slow store")
struct LeaseTests {
    /// Lets the test advance the clock during the first appends only.
    final class SlowAppends: Sendable {
        let remaining = Mutex(2)
        func take() -> Bool {
            remaining.withLock { count in
                count > 0
                    ? {
                        count -= 1; return true
                    }() : false
            }
        }
    }

    @Test(
        "when a slow append leaves too little lease for the next attempt, the lease is extended, not the saga dropped")
    func slowAppendExtendsLease() async throws {
        let harness = SagaTestHarness()
        let log = EffectLog()
        let definition = TestSagas.fourSteps(log: log)
        try harness.registry.register(definition)
        let slow = SlowAppends()
        let clock = harness.clock
        await harness.faults?.setOnAppend { _ in
            // The store takes 27 of the lease's 30 seconds to acknowledge each of the first appends, leaving less
            // than the next step's 5-second timeout.
            if slow.take() { clock.advance(by: .seconds(27)) }
        }
        let engine = harness.makeEngine(harness.configuration(leaseDuration: .seconds(30)))
        _ = try await engine.start(definition, sagaId: "slow", input: TestInput())
        let record = try await harness.waitForStatus("slow", .completed)
        #expect(record.steps(of: .stepCompleted) == ["A", "B", "C", "D"])
        #expect(!record.types.contains("StepFailed"), "no attempt was interrupted by a lost lease")
        #expect(log.names == ["A", "B", "C", "D"], "each step ran once")
        await engine.shutdown()
    }
}

import Foundation
import SagaKit
import SagaKitTesting
import Synchronization
import Testing

/// Fencing tokens and lease checks: what lets the business side refuse an overtaken attempt.
@Suite("Fencing")
struct FencingTests {
    /// What each attempt saw: its token and whether its lease check passed.
    final class Sightings: Sendable {
        private let seen = Mutex<[(token: FencingToken, leaseHeld: Bool)]>([])
        func record(_ fence: AttemptFence) {
            let held = (try? fence.checkLease()) != nil
            seen.withLock { $0.append((fence.token, held)) }
        }
        var tokens: [FencingToken] { seen.withLock { $0.map(\.token) } }
        var leaseChecks: [Bool] { seen.withLock { $0.map(\.leaseHeld) } }
    }

    static func definition(_ sightings: Sightings, gate: TestGate? = nil, failures: Int = 0) -> SagaDefinition<
        TestInput
    > {
        let calls = Mutex(0)
        return SagaDefinition(name: "fenced", version: 1) {
            ActionStep<TestInput>(
                "Effect",
                retryPolicy: RetryPolicy(
                    initialInterval: .milliseconds(100), maximumInterval: .milliseconds(100), maximumAttempts: 10,
                    jitter: 0),
                timeout: .seconds(5)
            ) { context in
                let call = calls.withLock { count -> Int in
                    count += 1
                    return count
                }
                if call == 1, let gate {
                    // Frozen: the wait does not end when the attempt is given up.
                    try await Task { try await gate.wait() }.value
                }
                sightings.record(context.fence)
                if call <= failures { throw StepError.retryable(kind: "Busy", message: "try again") }
                return "done"
            }
        }
    }

    @Test("every attempt's token is larger than the one before, and its time part is when it was issued")
    func tokensGrow() async throws {
        let harness = SagaTestHarness()
        let sightings = Sightings()
        let definition = Self.definition(sightings, failures: 3)
        try harness.registry.register(definition)
        let engine = harness.makeEngine()
        _ = try await engine.start(definition, sagaId: "t", input: TestInput())
        for count in 1...3 {
            let parked = try await harness.waitForParked("t", after: .stepFailed, count: count)
            harness.clock.advance(to: try #require(parked.dueAt))
            await engine.pollDueSagas()
        }
        let record = try await harness.waitForStatus("t", .completed)
        let tokens = sightings.tokens
        #expect(tokens.count == 4)
        #expect(zip(tokens, tokens.dropFirst()).allSatisfy { $0 < $1 })
        let started = record.events(of: .stepStarted)
        #expect(tokens.map { $0.issuedAt } == started.map(\.at))
        #expect(sightings.leaseChecks == [true, true, true, true])
        await engine.shutdown()
    }

    @Test("a paused executor's attempt finds its lease gone when it wakes; the one that took over fences it")
    func pausedExecutor() async throws {
        let harness = SagaTestHarness()
        let sightings = Sightings()
        let gate = TestGate()
        let definition = Self.definition(sightings, gate: gate)
        try harness.registry.register(definition)
        let paused = harness.makeEngine(harness.configuration(instanceId: "paused", leaseDuration: .seconds(10)))
        _ = try await paused.start(definition, sagaId: "z", input: TestInput())
        try await gate.waitForArrivals(1)

        // The pause outlives the lease; another executor takes the saga over and finishes it.
        harness.clock.advance(by: .seconds(30))
        let other = harness.makeEngine(harness.configuration(instanceId: "other", leaseDuration: .seconds(10)))
        for _ in 0..<20 {
            if try await harness.store.load(sagaId: "z")?.status == .completed { break }
            await other.pollDueSagas()
            try await Task.sleep(for: .milliseconds(20))
            harness.clock.advance(by: .milliseconds(200))
        }
        let record = try await harness.waitForStatus("z", .completed)
        #expect(record.events(of: .stepStarted).count == 2)

        // The paused attempt wakes: its lease check fails, and its token is below the one that took over.
        gate.open()
        try await waitUntil { sightings.tokens.count == 2 }
        #expect(sightings.leaseChecks.filter { $0 }.count == 1 && sightings.leaseChecks.count == 2)
        let tokens = sightings.tokens
        let stale = tokens[sightings.leaseChecks.firstIndex(of: false)!]
        let current = tokens[sightings.leaseChecks.firstIndex(of: true)!]
        #expect(stale < current)
        await paused.shutdown()
        await other.shutdown()
    }
}

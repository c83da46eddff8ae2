import Foundation
import SagaKitTesting
import Testing

@testable import SagaKit

/// The one race-with-timeout helper: an operation against a deadline on a shared timer, or the caller's cancellation.
@Suite("Deadline timer")
struct DeadlineTimerTests {
    @Test("an operation that returns in time wins, and its deadline is forgotten")
    func finishes() async {
        let timer = DeadlineTimer(clock: TestClock())
        let outcome = await timer.race(.seconds(1)) { 42 }
        guard case .finished(let value) = outcome else {
            Issue.record("expected the value, got \(outcome)")
            return
        }
        #expect(value == 42)
        #expect(timer.pendingCount == 0)
    }

    @Test("the deadline wins over an operation that hangs, which is cancelled and not waited for")
    func timesOut() async throws {
        let clock = TestClock()
        let timer = DeadlineTimer(clock: clock)
        let gate = TestGate()
        let log = EffectLog()
        let race = Task {
            await timer.race(.seconds(2)) {
                do { try await gate.wait() } catch { log.record("cancelled", key: "", attempt: 1) }
            }
        }
        #expect(await clock.waitForSleepers(count: 1))
        #expect(clock.nextDeadline == SagaTime.adding(.seconds(2), to: TestClock.defaultStart))
        clock.advance(by: .seconds(2))
        guard case .timedOut = await race.value else {
            Issue.record("expected a timeout")
            return
        }
        #expect(timer.pendingCount == 0)
        let limit = ContinuousClock.now.advanced(by: .seconds(5))
        while log.count("cancelled") == 0, ContinuousClock.now < limit { try await Task.sleep(for: .milliseconds(1)) }
        #expect(log.count("cancelled") == 1)
    }

    @Test("one sleeping task serves every deadline; an earlier deadline replaces its sleep")
    func sharesOneSleeper() async throws {
        let clock = TestClock()
        let timer = DeadlineTimer(clock: clock)
        let gate = TestGate()
        let late = Task { await timer.race(.seconds(10)) { try? await gate.wait() } }
        #expect(await clock.waitForSleepers(count: 1))
        let early = Task { await timer.race(.seconds(1)) { try? await gate.wait() } }
        #expect(await clock.waitForSleeper(dueBy: SagaTime.adding(.seconds(1), to: TestClock.defaultStart)))
        clock.advance(by: .seconds(1))
        guard case .timedOut = await early.value else {
            Issue.record("expected the early race to time out")
            return
        }
        #expect(timer.pendingCount == 1)
        #expect(await clock.waitForSleepers(count: 1))
        #expect(clock.sleeperCount == 1)
        gate.open()
        guard case .finished = await late.value else {
            Issue.record("expected the late race to finish")
            return
        }
        #expect(timer.pendingCount == 0)
    }

    @Test("cancelling the caller ends the race at once and cancels the operation")
    func cancelled() async throws {
        let timer = DeadlineTimer(clock: TestClock())
        let gate = TestGate()
        let race = Task { await timer.race(.seconds(60)) { (try? await gate.wait()) == nil } }
        try await gate.waitForArrivals(1)
        race.cancel()
        guard case .cancelled = await race.value else {
            Issue.record("expected a cancellation")
            return
        }
        #expect(timer.pendingCount == 0)
    }
}

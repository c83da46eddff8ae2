import Foundation

extension SagaEngine {
    /// Stops gracefully: takes no new work, lets running attempts finish (at most the grace period), appends
    /// what they produced without deciding anything new, and releases their leases due at once so another
    /// executor picks them up immediately. Attempts still running after the grace period are cancelled and
    /// their leases left to expire (their effect may still be under way).
    ///
    /// Every call, concurrent or later, returns only once that shutdown is complete.
    public func shutdown() async {
        if let shutdownTask { return await shutdownTask.value }
        let stopping = Task { await self.stopGracefully() }
        shutdownTask = stopping
        await stopping.value
    }

    /// The work of ``shutdown()``, done once.
    private func stopGracefully() async {
        guard lifecycle.beginStopping() else { return }
        stopScheduler()
        let finished = await Self.waitForRunners(
            slots, deadlines: deadlines, grace: configuration.shutdownGracePeriod)
        if !finished {
            logger.warning("attempts still running after the grace period; cancelling them")
            lifecycle.crash()
            for runner in slots.runners { runner.cancel() }
            await lifecycle.cancelAttempts(waiting: false)
            await slots.drained(claims: false)
        }
        logger.info("saga engine stopped")
    }

    /// FOR TESTS ONLY: stops everything at once, like a killed process — no lease is released and nothing
    /// more is appended (a store call already under way may still land, as it would in a real crash).
    /// Returns once every running attempt has observed cancellation.
    public func simulateCrash() async {
        lifecycle.crash()
        _ = lifecycle.beginStopping()
        stopScheduler()
        for runner in slots.runners { runner.cancel() }
        await slots.drained(claims: false)
        await lifecycle.cancelAttempts(waiting: true)
    }

    private func stopScheduler() {
        loopsTask?.cancel()
        timerSleep?.task.cancel()
        slots.forgetQueuedStarts()
    }

    /// Whether every held saga (runners, and claims getting their lease) was let go within `grace` on the deadline
    /// timer's clock.
    private static func waitForRunners(_ slots: EngineSlots, deadlines: DeadlineTimer, grace: Duration) async -> Bool {
        if case .finished = await deadlines.race(grace, operation: { await slots.drained(claims: true) }) {
            return true
        }
        return false
    }
}

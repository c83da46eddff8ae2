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
        let runners = held.values.compactMap(\.task)
        let finished = await Self.waitForRunners(
            runners, deadlines: deadlines, grace: configuration.shutdownGracePeriod)
        if !finished {
            logger.warning("attempts still running after the grace period; cancelling them")
            lifecycle.crash()
            for runner in runners { runner.cancel() }
            await lifecycle.cancelAttempts(waiting: false)
            for runner in runners { await runner.value }
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
        let runners = held.values.compactMap(\.task)
        for runner in runners { runner.cancel() }
        await lifecycle.cancelAttempts(waiting: true)
        for runner in runners { await runner.value }
    }

    private func stopScheduler() {
        loopsTask?.cancel()
        timerSleep?.task.cancel()
        queuedStarts.removeAll()
    }

    /// Whether every runner finished within `grace` on the deadline timer's clock.
    private static func waitForRunners(_ runners: [Task<Void, Never>], deadlines: DeadlineTimer, grace: Duration)
        async -> Bool
    {
        guard !runners.isEmpty else { return true }
        let race = await deadlines.race(grace) {
            for runner in runners { await runner.value }
        }
        if case .finished = race { return true }
        return false
    }
}

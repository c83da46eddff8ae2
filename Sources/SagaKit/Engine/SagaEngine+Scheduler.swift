import Foundation

extension SagaEngine {
    /// Runs the scheduler until the calling task is cancelled or ``shutdown()`` is called: polls the store for
    /// due sagas (recovery, sagas parked elsewhere), wakes sagas this executor parked at their due time, and
    /// renews held leases in one batched call per renew interval.
    ///
    /// Cancelling the calling task shuts the engine down gracefully (see ``shutdown()``) before returning.
    public func run() async throws {
        guard loopsTask == nil else { throw SagaEngineError.alreadyRunning }
        guard !lifecycle.isStopping else { throw SagaEngineError.shuttingDown }
        metrics.prime(definitions: registry.names)
        let loops = Task {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.pollLoop() }
                group.addTask { await self.renewLoop() }
                group.addTask { await self.timerLoop() }
            }
        }
        loopsTask = loops
        await withTaskCancellationHandler {
            await loops.value
        } onCancel: {
            loops.cancel()
        }
        if !lifecycle.isStopping { await shutdown() }
    }

    /// Looks for due sagas once: those whose `dueAt` passed and whose lease is free or expired. A wake-up the free
    /// slots were given while it ran (a runner that ended, a claim that found no free slot) is acted on as it ends: one
    /// more poll when its page was full, say.
    public func pollDueSagas() async {
        await pollDueSagas(forFreedSlot: false)
    }

    /// ``pollDueSagas()``; `forFreedSlot` when a freed slot asked for it because more were due than the queue of
    /// starts held: a poll that finds no free slot or fails leaves that mark for the next freed slot (at once, when a
    /// wake-up came while it ran).
    func pollDueSagas(forFreedSlot: Bool) async {
        let start = slots.startPoll(markingIfNone: forFreedSlot)
        guard !lifecycle.isStopping, start.limit > 0 else { return }
        let now = clock.now
        quarantine = quarantine.filter { $0.value > now }
        let ids: [String]
        do {
            ids = try await store.dueSagas(
                now: SagaTime.truncated(now), limit: start.limit, runnable: registry.runnable)
        } catch {
            logger.warning("polling for due sagas failed", metadata: ["error": "\(error)"])
            endPoll(start, markingMoreDue: forFreedSlot)
            return
        }
        for id in ids {
            await claim(id, byPoll: true)
        }
        // A full page may leave more due: the next freed slot polls again. (Marked at the end, so that a slot this
        // poll's own claims free does not start a poll over the sagas it has not claimed yet.)
        endPoll(start, markingMoreDue: ids.count == start.limit)
    }

    /// Ends the poll begun at `start` (see ``EngineSlots/endPoll(_:markingMoreDue:)``), and gives the free slots the
    /// wake-up that came while it ran, if one did: a runner that ended (one this poll started, say) or a mark set may
    /// have found its slot held by the poll's claims, or no mark yet, and may have been the last.
    private func endPoll(_ start: EngineSlots.PollStart, markingMoreDue: Bool) {
        if slots.endPoll(start, markingMoreDue: markingMoreDue) { freeSlot() }
    }

    /// Renews every held lease in one call; sagas whose lease is gone are dropped at their next decision.
    public func renewLeases() async {
        let asked = leases.held
        guard !asked.isEmpty, !lifecycle.isCrashed else { return }
        let ids = asked.keys.sorted()
        let until = SagaTime.adding(configuration.leaseDuration, to: clock.now)
        do {
            let renewed = try await store.renewLeases(sagaIds: ids, owner: configuration.instanceId, until: until)
            let lost = leases.applyRenewal(asked: asked, renewed: renewed, until: until)
            if lost > 0 {
                logger.notice("leases lost", metadata: ["count": "\(lost)"])
            }
        } catch {
            logger.warning("renewing leases failed", metadata: ["error": "\(error)"])
        }
    }

    /// Remembers to wake `sagaId` at `dueAt`, waking the timer loop when that is earlier than its sleep.
    func scheduleTimer(_ sagaId: String, at dueAt: Date) {
        timers.schedule(sagaId, at: dueAt)
        if let timerSleep, dueAt < timerSleep.until {
            timerSleep.task.cancel()
        }
    }

    private func pollLoop() async {
        while !Task.isCancelled, !lifecycle.isStopping {
            await pollDueSagas()
            do {
                try await clock.sleep(for: configuration.pollInterval)
            } catch {
                return
            }
        }
    }

    private func renewLoop() async {
        while !Task.isCancelled, !lifecycle.isStopping {
            do {
                try await clock.sleep(for: configuration.renewInterval)
            } catch {
                return
            }
            await renewLeases()
        }
    }

    private func timerLoop() async {
        while !Task.isCancelled, !lifecycle.isStopping {
            let until = timers.nextDueAt ?? .distantFuture
            let clock = self.clock
            let sleeper = Task.detached { _ = try? await clock.sleep(until: until) }
            timerSleep = (sleeper, until)
            await withTaskCancellationHandler {
                await sleeper.value
            } onCancel: {
                sleeper.cancel()
            }
            timerSleep = nil
            guard !Task.isCancelled, !lifecycle.isStopping else { return }
            for id in timers.popDue(now: clock.now) {
                await claim(id)
            }
        }
    }
}

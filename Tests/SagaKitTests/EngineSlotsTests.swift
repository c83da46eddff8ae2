import Foundation
import Testing

@testable import SagaKit

@Suite("The engine's slots")
struct EngineSlotsTests {
    /// Reserves a slot for `sagaId` and returns its token.
    func reserve(_ sagaId: String, in slots: EngineSlots) throws -> Int {
        guard case .reserved(let token) = slots.claim(sagaId, known: nil) else {
            Issue.record("no slot was reserved for \(sagaId)")
            throw CancellationError()
        }
        return token
    }

    @Test("a claim that fails gives back its slot and the look again asked for meanwhile")
    func unclaimDropsThePendingRecheck() async throws {
        let slots = EngineSlots(capacity: 1)
        let failed = try reserve("saga", in: slots)
        #expect(slots.recheckIfBusy("saga"), "a notification while the lease is being taken asks to look again")
        slots.unclaim("saga", token: failed)
        #expect(slots.freeSlots == 1)

        // Taken later and run to its end: nothing asked to look at it during this holding.
        let token = try reserve("saga", in: slots)
        let launched = slots.launch("saga", token: token, stopping: { false }) { _ in Task {} }
        #expect(launched)
        #expect(slots.finish("saga", token: token, needsEngine: false) == .released)
        #expect(slots.freeSlots == 1)
    }

    @Test("a failed claim leaves the look again asked for meanwhile to a start of the saga in progress here")
    func unclaimLeavesTheRecheckToAStartInProgress() async throws {
        let slots = EngineSlots(capacity: 2)
        let failed = try reserve("saga", in: slots)
        // A start of the same id (a retried placement) begins while the claim takes the lease.
        #expect(await slots.enterStart("saga") == false)
        #expect(slots.recheckIfBusy("saga"))
        slots.unclaim("saga", token: failed)

        #expect(slots.leaveStart("saga"), "the start's end claims the saga again, as it was asked to")
    }

    /// A saga as a start that found every slot taken records it: no lease, due now.
    func queuedStart(_ sagaId: String) -> SagaRecord {
        let now = Date()
        return SagaRecord(
            id: sagaId, definitionName: "d", definitionVersion: 1, status: .running, currentStep: nil, startedAt: now,
            updatedAt: now, lastSeq: 1, leaseOwner: nil, leaseUntil: nil, dueAt: now, inbox: [], events: [],
            input: .null)
    }

    @Test(
        "a queued start is not offered to a free slot while a start of its id is in progress here, and is once it ends")
    func queuedStartWaitsForItsStartToEnd() async throws {
        let slots = EngineSlots(capacity: 1)
        #expect(await slots.enterStart("queued") == false)
        slots.queue(queuedStart("queued"))
        slots.queue(queuedStart("other"))
        // A slot frees up on another thread before the start lets go of its id: offered, the saga would be found
        // busy and its record lost. The next queued start goes first.
        guard case .claim(let first) = slots.nextWork() else {
            Issue.record("the other queued start was not offered")
            return
        }
        #expect(first.id == "other")
        #expect(slots.nextWork() == nil)

        // A second start of the same id waits for the first; the id stays in progress when the first ends.
        let waiter = Task { await slots.enterStart("queued") }
        var yields = 0
        while slots.startsWaiting(for: "queued") != 1, yields < 100_000 {
            await Task.yield()
            yields += 1
        }
        try #require(slots.startsWaiting(for: "queued") == 1)
        #expect(slots.leaveStart("queued") == false)
        #expect(await waiter.value, "the second start waited")
        #expect(slots.nextWork() == nil)

        #expect(slots.leaveStart("queued") == false)
        guard case .claim(let next) = slots.nextWork() else {
            Issue.record("the queued start was not offered once its start ended")
            return
        }
        #expect(next.id == "queued")
        guard case .reserved = slots.claim("queued", known: next) else {
            Issue.record("the claim found the saga busy")
            return
        }
    }

    @Test("past the queue's bound a queued start leaves only a poll of the store to a free slot")
    func queuedStartsPastTheBound() {
        let slots = EngineSlots(capacity: 1)
        for index in 0...slots.maxQueuedStarts { slots.queue(queuedStart("q-\(index)")) }
        for index in 0..<slots.maxQueuedStarts {
            guard case .claim(let next) = slots.nextWork() else {
                Issue.record("queued start \(index) was not offered")
                return
            }
            #expect(next.id == "q-\(index)")
        }
        guard case .poll = slots.nextWork() else {
            Issue.record("no poll for the start the queue could not hold")
            return
        }
        #expect(slots.nextWork() == nil)
    }

    @Test("a look again asked for while a runner holds the saga keeps the saga for the engine when the runner ends")
    func recheckDuringARunnerKeepsTheSaga() async throws {
        let slots = EngineSlots(capacity: 1)
        let token = try reserve("saga", in: slots)
        _ = slots.launch("saga", token: token, stopping: { false }) { _ in Task {} }
        #expect(slots.recheckIfBusy("saga"))
        #expect(slots.finish("saga", token: token, needsEngine: false) == .needsEngine)
        let released = slots.release("saga", token: token)
        #expect(released.current && released.recheck)
        #expect(slots.freeSlots == 1)
    }

    @Test("a freed slot's poll that finds every slot taken leaves its mark in that step: the next slot freed polls")
    func pollWithNoFreeSlotKeepsItsMark() {
        let slots = EngineSlots(capacity: 1)
        #expect(!slots.endPoll(slots.startPoll(markingIfNone: false), markingMoreDue: true))
        guard case .poll = slots.nextWork() else {
            Issue.record("a free slot with more due polls")
            return
        }
        #expect(slots.reserveStart(), "a start takes the slot before the poll runs")
        #expect(slots.startPoll(markingIfNone: true).limit == 0)
        #expect(slots.nextWork() == nil, "no slot is free")
        slots.endStartReservation()
        guard case .poll = slots.nextWork() else {
            Issue.record("the slot freed next did not poll")
            return
        }
    }

    @Test(
        "a poll learns at its end whether a slot was freed or work marked while it ran; polls' failed claims and end marks do not count"
    )
    func pollLearnsOfSlotsFreed() throws {
        let slots = EngineSlots(capacity: 3)
        let running = try reserve("running", in: slots)
        #expect(slots.reserveStart())

        let first = slots.startPoll(markingIfNone: false)
        #expect(first.limit == 1)
        #expect(slots.nextWork() == nil, "a poll that has not ended leaves no mark")
        slots.unclaim("polled", token: try reserve("polled", in: slots), countingAsFreed: false)
        #expect(!slots.endPoll(first, markingMoreDue: true), "only a poll's claim gave a slot back")
        guard case .poll = slots.nextWork() else {
            Issue.record("the mark was not left for a free slot")
            return
        }

        let second = slots.startPoll(markingIfNone: false)
        slots.unclaim("running", token: running)
        #expect(slots.endPoll(second, markingMoreDue: true), "a slot held by another was freed")
        let third = slots.startPoll(markingIfNone: false)
        slots.endStartReservation()
        #expect(slots.endPoll(third, markingMoreDue: true), "a start ended without a runner")
        #expect(
            !slots.endPoll(slots.startPoll(markingIfNone: false), markingMoreDue: true), "nothing came while it ran")

        let fourth = slots.startPoll(markingIfNone: false)
        for id in ["a", "b", "c"] { _ = try reserve(id, in: slots) }
        guard case .full = slots.claim("signalled", known: nil) else {
            Issue.record("a claim with every slot taken was not refused")
            return
        }
        #expect(slots.endPoll(fourth, markingMoreDue: false), "a claim that found no free slot marked more due")
    }

    @Test("a start's runner takes over the start's reservation in one step: no slot is freed, none counted twice")
    func startRunnerTakesOverItsReservation() {
        let slots = EngineSlots(capacity: 2)
        #expect(slots.reserveStart())
        let poll = slots.startPoll(markingIfNone: false)
        #expect(poll.limit == 1)
        #expect(slots.launch("started", token: nil, stopping: { false }) { _ in Task {} })
        #expect(slots.freeSlots == 1, "the runner holds the slot the start reserved, and only that one")
        #expect(!slots.endPoll(poll, markingMoreDue: true), "no slot was freed")
        #expect(!slots.launch("refused", token: nil, stopping: { true }) { _ in Task {} })
        #expect(slots.freeSlots == 1, "a refused launch leaves nothing held")
    }

    @Test(
        "a start past the queue's bound, a queued start put back, and a freed slot's poll with no free slot are wake-ups"
    )
    func marksAreWakeUps() throws {
        let slots = EngineSlots(capacity: 1)
        let held = try reserve("held", in: slots)
        var poll = slots.startPoll(markingIfNone: false)
        for index in 0..<slots.maxQueuedStarts {
            slots.queue(queuedStart("queued-\(index)"))
        }
        #expect(
            !slots.endPoll(poll, markingMoreDue: false), "a start the queue holds is offered by its own start's end")
        poll = slots.startPoll(markingIfNone: false)
        slots.queue(queuedStart("past-the-bound"))
        #expect(slots.endPoll(poll, markingMoreDue: false))

        poll = slots.startPoll(markingIfNone: false)
        guard case .full = slots.claim("queued-0", known: queuedStart("queued-0")) else {
            Issue.record("a claim with the slot taken was not refused")
            return
        }
        #expect(slots.endPoll(poll, markingMoreDue: false), "the queued start went back first in line")

        poll = slots.startPoll(markingIfNone: false)
        #expect(slots.startPoll(markingIfNone: true).limit == 0)
        #expect(slots.endPoll(poll, markingMoreDue: false), "a freed slot's poll found the slot taken and marked")
        slots.unclaim("held", token: held)
    }
}

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

    @Test(
        "a start that found every slot taken queues its saga as it lets go of the id, so a freed slot claims it with its record"
    )
    func queuedAsTheStartEnds() async throws {
        let slots = EngineSlots(capacity: 1)
        let now = Date()
        let record = SagaRecord(
            id: "queued", definitionName: "d", definitionVersion: 1, status: .running, currentStep: nil,
            startedAt: now, updatedAt: now, lastSeq: 1, leaseOwner: nil, leaseUntil: nil, dueAt: now, inbox: [],
            events: [], input: .null)
        #expect(await slots.enterStart("queued") == false)
        // A slot frees up on another thread while the start is still in progress: nothing is queued yet, so it
        // cannot take the saga and find its id busy (which would lose the record).
        #expect(slots.nextWork() == nil)
        #expect(slots.leaveStart("queued", queueing: record) == false)
        guard case .claim(let next) = slots.nextWork() else {
            Issue.record("the queued start was not offered to a free slot")
            return
        }
        #expect(next.id == "queued")
        guard case .reserved = slots.claim("queued", known: next) else {
            Issue.record("the claim found the saga busy")
            return
        }
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
}

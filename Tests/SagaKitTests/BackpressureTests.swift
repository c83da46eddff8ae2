import Foundation
import SagaKitTesting
import Testing

@testable import SagaKit

@Suite("Starting sagas when every slot is taken")
struct BackpressureTests {
    @Test("a start with no free slot returns at once with the saga durably queued, and it runs when a slot frees")
    func queuedStart() async throws {
        let harness = SagaTestHarness()
        let log = EffectLog()
        let gate = TestGate()
        let definition = TestSagas.fourSteps(log: log, scripts: ["A": StepScript([.wait(gate), .wait(gate)])])
        try harness.registry.register(definition)
        let engine = harness.makeEngine(harness.configuration(maxConcurrentSagas: 2))
        _ = try await engine.start(definition, sagaId: "busy-1", input: TestInput())
        _ = try await engine.start(definition, sagaId: "busy-2", input: TestInput())
        try await gate.waitForArrivals(2)

        let queued = try await engine.start(definition, sagaId: "queued", input: TestInput())
        #expect(queued.isCreated)
        #expect(queued.record.types == ["SagaStarted"], "nothing is recorded as started without a holder")
        #expect(queued.record.leaseOwner == nil)
        #expect(queued.record.dueAt != nil)
        #expect(log.count("A") == 2, "the queued saga waits for a slot")

        gate.open()
        for id in ["busy-1", "busy-2", "queued"] {
            let record = try await harness.waitForStatus(id, .completed)
            #expect(record.steps(of: .stepCompleted) == ["A", "B", "C", "D"])
            #expect(!record.types.contains("StepFailed"), "a queued start is not mistaken for an interrupted attempt")
            #expect(SagaReplayer.check(history: record.events, against: definition).isEmpty)
        }
        #expect(log.count("A") == 3)
        await engine.shutdown()
    }

    /// An engine with `slots` slots whose first saga, `first`, waits at step A until `gate` opens.
    struct HeldAtA {
        let harness = SagaTestHarness()
        let log = EffectLog()
        let gate = TestGate()
        let definition: SagaDefinition<TestInput>
        let engine: SagaEngine

        init(slots: Int, first: String) async throws {
            definition = TestSagas.fourSteps(log: log, scripts: ["A": StepScript([.wait(gate)])])
            try harness.registry.register(definition)
            engine = harness.makeEngine(harness.configuration(maxConcurrentSagas: slots))
            _ = try await engine.start(definition, sagaId: first, input: TestInput())
            try await gate.waitForArrivals(1)
        }
    }

    @Test("starts past the in-memory queue's bound run as slots free up, without waiting for a due-saga poll")
    func startsPastTheQueuesBound() async throws {
        // One slot and room for 4 queued starts; the clock never moves, so no poll comes by itself.
        let held = try await HeldAtA(slots: 1, first: "busy")
        let (harness, log, gate, definition, engine) = (held.harness, held.log, held.gate, held.definition, held.engine)
        let queued = (1...7).map { "queued-\($0)" }
        for id in queued {
            #expect(try await engine.start(definition, sagaId: id, input: TestInput()).isCreated)
        }

        gate.open()
        for id in ["busy"] + queued {
            try await harness.waitForStatus(id, .completed)
        }
        #expect(log.count("A") == 8)
        await engine.shutdown()
    }

    @Test("a queued start that the due-saga poll finds is claimed with its known state, not read back")
    func pollClaimsAQueuedStartWithItsKnownState() async throws {
        let held = try await HeldAtA(slots: 2, first: "busy")
        let (harness, log, gate, definition, engine) = (held.harness, held.log, held.gate, held.definition, held.engine)
        // The other slot is taken while "queued" starts, then given back without handing it to the queue: the
        // moment a due-saga poll can find a saga that is still queued here.
        #expect(engine.slots.reserveStart())
        #expect(try await engine.start(definition, sagaId: "queued", input: TestInput()).isCreated)
        engine.slots.endStartReservation()

        await engine.claim("queued")
        let faults = try #require(harness.faults)
        let acquisitions = await faults.leaseAcquisitions
        #expect(acquisitions.ofKnown == 1, "one compare-and-set with the state the start recorded")
        #expect(acquisitions.byId == 0, "no acquisition that reads the saga back")
        #expect(engine.slots.takeQueuedStart("queued") == nil, "and it left the queue")

        gate.open()
        for id in ["busy", "queued"] {
            try await harness.waitForStatus(id, .completed)
        }
        #expect(log.count("A") == 2)
        await engine.shutdown()
    }

    @Test("a due-saga poll whose page names a saga held here by then leaves it alone: it is not claimed again after")
    func pollLeavesASagaHeldHereAlone() async throws {
        let held = try await HeldAtA(slots: 2, first: "held")
        let (harness, gate, engine) = (held.harness, held.gate, held.engine)
        let faults = try #require(harness.faults)
        await faults.setDueSagasAlso(["held"])

        await engine.pollDueSagas()
        gate.open()
        try await harness.waitForStatus("held", .completed)
        // A claim after the runner's end would come within milliseconds; give it a bounded while.
        for _ in 0..<50 where await faults.leaseAcquisitions.byId == 0 {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(await faults.leaseAcquisitions.byId == 0, "the ended saga is not read back to be claimed again")
        await engine.shutdown()
    }

    @Test("a saga that comes due while its runner is letting go of it is claimed again by that runner's exit")
    func dueBeforeItsRunnerLetsGo() async throws {
        let harness = SagaTestHarness()
        let log = EffectLog()
        let definition = TestSagas.fourSteps(log: log, scripts: ["B": StepScript([.failRetryable("Unavailable")])])
        try harness.registry.register(definition)
        let faults = try #require(harness.faults)
        let parking = TestGate()
        // The runner's park is written, but the runner hears of it only when the gate opens.
        await faults.setOnAppend(
            { request in
                if request.lease == .release { try? await parking.wait() }
            }, timing: .afterWrite)
        let engine = harness.makeEngine()
        _ = try await engine.start(definition, sagaId: "retrying", input: TestInput())
        try await parking.waitForArrivals(1)
        try await harness.waitForParked("retrying", after: .stepFailed)

        harness.clock.advance(by: .seconds(60))
        await engine.pollDueSagas()
        #expect(await faults.leaseAcquisitions.byId == 0, "the poll left alone the saga still held here")
        parking.open()
        let record = try await harness.waitForStatus("retrying", .completed)
        #expect(await faults.leaseAcquisitions.byId == 1, "its runner's exit claimed it again")
        #expect(record.steps(of: .stepCompleted) == ["A", "B", "C", "D"])
        #expect(log.count("B") == 2)
        await engine.shutdown()
    }

    @Test("a freed slot's poll that fails leaves its mark: the next freed slot polls again and finds what was due")
    func freedSlotPollThatFailsKeepsItsMark() async throws {
        // One slot and room for 4 queued starts: the fifth is left to a freed slot's poll.
        let held = try await HeldAtA(slots: 1, first: "busy")
        let (harness, gate, definition, engine) = (held.harness, held.gate, held.definition, held.engine)
        let faults = try #require(harness.faults)
        let queued = (1...5).map { "queued-\($0)" }
        for id in queued {
            #expect(try await engine.start(definition, sagaId: id, input: TestInput()).isCreated)
        }
        await faults.injectDueSagasFault()

        gate.open()
        for id in ["busy"] + queued.dropLast() {
            try await harness.waitForStatus(id, .completed)
        }
        // The queue ran dry and the freed slot's poll failed; nothing runs that could free another slot.
        try await waitUntil { await faults.pendingDueSagasFaults == 0 }
        try await waitUntil {
            if case .poll = engine.slots.nextWork() { return true }
            return false
        }
        await engine.pollDueSagas(forFreedSlot: true)
        try await harness.waitForStatus("queued-5", .completed)
        await engine.shutdown()
    }

    @Test("a runner a due-saga poll started that ends before the poll is through its page does not strand the rest")
    func pollWhoseRunnerEndsBeforeTheMark() async throws {
        let due = try await DueInTheStoreOnly(["a", "b", "c"], slots: 2)
        let (harness, faults, engine) = (due.harness, due.faults, due.engine)
        // A page of two, "a" and "b": "a" runs to its end and gives its slot back while the poll still claims "b",
        // which another engine takes first.
        let observed = EffectLog()
        await Self.takeElsewhere(
            "b", whenClaimedBy: engine, once: 1, faults: faults, clock: harness.clock, observed: observed)

        await engine.pollDueSagas()
        for id in ["a", "c"] {
            try await harness.waitForStatus(id, .completed)
        }
        #expect(observed.count("b") == 1, "the window this test is about was held open")
        #expect(try await harness.store.load(sagaId: "b")?.leaseOwner == "engine-2")
        await engine.shutdown()
    }

    /// Waits, for up to 5 s, until `engine` has `count` free slots; returns whether it has.
    static func waitForFreeSlots(_ count: Int, on engine: SagaEngine) async -> Bool {
        for _ in 0..<500 where engine.slots.freeSlots < count {
            try? await Task.sleep(for: .milliseconds(10))
        }
        return engine.slots.freeSlots == count
    }

    /// Makes `engine`'s lease acquisition of `sagaId` wait, after `first`, until `engine` has `free` free slots (noted
    /// in `observed` under the saga's id when it does), and then find the saga taken by another engine.
    static func takeElsewhere(
        _ sagaId: String, whenClaimedBy engine: SagaEngine, once free: Int, faults: FaultInjectingHistoryStore,
        clock: TestClock, observed: EffectLog, first: @escaping @Sendable () async -> Void = {}
    ) async {
        await faults.setOnLeaseCall { call in
            guard call == .acquire(sagaId: sagaId, owner: "engine-1") else { return }
            await first()
            if await waitForFreeSlots(free, on: engine) { observed.record(sagaId, key: sagaId, attempt: 1) }
            let now = clock.now
            _ = try? await faults.base.acquireLease(
                sagaId: sagaId, owner: "engine-2", until: now.addingTimeInterval(60), now: now)
        }
    }

    /// An engine with `slots` slots, no scheduler and sagas of four quick steps, `ids` due in the store and not
    /// queued here.
    struct DueInTheStoreOnly {
        let harness = SagaTestHarness()
        let faults: FaultInjectingHistoryStore
        let engine: SagaEngine

        init(_ ids: [String], slots: Int) async throws {
            let definition = TestSagas.fourSteps(log: EffectLog())
            try harness.registry.register(definition)
            faults = try #require(harness.faults)
            engine = harness.makeEngine(harness.configuration(maxConcurrentSagas: slots))
            try await BackpressureTests.dueInTheStoreOnly(ids, on: engine, definition)
        }
    }

    /// Starts `ids` on `engine` so that they are due in the store and not queued here: its free slots are taken while
    /// they start, and the queue is forgotten, as after a restart.
    static func dueInTheStoreOnly(_ ids: [String], on engine: SagaEngine, _ definition: SagaDefinition<TestInput>)
        async throws
    {
        let free = engine.slots.freeSlots
        for _ in 0..<free { #expect(engine.slots.reserveStart()) }
        for id in ids {
            #expect(try await engine.start(definition, sagaId: id, input: TestInput()).isCreated)
        }
        engine.slots.forgetQueuedStarts()
        for _ in 0..<free { engine.slots.endStartReservation() }
    }

    @Test("a poll that claims none of its full page still polls again when a runner it did not start ended meanwhile")
    func pollThatClaimedNothingWhileARunnerEnded() async throws {
        let held = try await HeldAtA(slots: 2, first: "running")
        let (harness, gate, engine) = (held.harness, held.gate, held.engine)
        let faults = try #require(harness.faults)
        try await Self.dueInTheStoreOnly(["x", "y"], on: engine, held.definition)
        // The page is "x" alone (one free slot). While the poll claims it, "running" runs to its end and lets go,
        // and another engine takes "x".
        let observed = EffectLog()
        await Self.takeElsewhere(
            "x", whenClaimedBy: engine, once: 1, faults: faults, clock: harness.clock, observed: observed
        ) {
            gate.open()
        }

        await engine.pollDueSagas()
        for id in ["running", "y"] {
            try await harness.waitForStatus(id, .completed)
        }
        #expect(observed.count("x") == 1, "the window this test is about was held open")
        #expect(try await harness.store.load(sagaId: "x")?.leaseOwner == "engine-2")
        await engine.shutdown()
    }

    @Test("a freed slot's poll that fails while a runner ends still leads to a poll")
    func failedPollWhileARunnerEnded() async throws {
        let held = try await HeldAtA(slots: 2, first: "running")
        let (harness, gate, engine) = (held.harness, held.gate, held.engine)
        let faults = try #require(harness.faults)
        try await Self.dueInTheStoreOnly(["x"], on: engine, held.definition)
        // While the poll waits for the store, "running" runs to its end and lets go; then the poll fails.
        let observed = EffectLog()
        await faults.setOnDueSagas {
            gate.open()
            if await Self.waitForFreeSlots(2, on: engine) {
                observed.record("running let go during the poll", key: "", attempt: 1)
            }
        }
        await faults.injectDueSagasFault()

        await engine.pollDueSagas(forFreedSlot: true)
        #expect(await faults.pendingDueSagasFaults == 0, "the poll failed")
        for id in ["running", "x"] {
            try await harness.waitForStatus(id, .completed)
        }
        #expect(observed.count("running let go during the poll") >= 1, "the window this test is about was held open")
        await engine.shutdown()
    }

    @Test("a poll whose claims fail while the store answers its reads does not poll again and again; its mark stays")
    func pollWithFailingClaimsDoesNotSpin() async throws {
        let due = try await DueInTheStoreOnly(["x", "y"], slots: 1)
        let (harness, faults, engine) = (due.harness, due.faults, due.engine)
        // A mark left by an earlier poll whose page was full.
        #expect(!engine.slots.endPoll(engine.slots.startPoll(markingIfNone: false), markingMoreDue: true))
        await faults.setLeaseAcquisitionsFail(true)

        await engine.pollDueSagas()
        // A poll that a failed claim started would come within milliseconds; give it a bounded while.
        try await Task.sleep(for: .milliseconds(200))
        #expect(await faults.dueSagasCalls == 1, "one poll, not one after another")

        await faults.setLeaseAcquisitionsFail(false)
        guard case .poll = engine.slots.nextWork() else {
            Issue.record("the mark was not left for the next slot freed")
            return
        }
        await engine.pollDueSagas(forFreedSlot: true)
        for id in ["x", "y"] {
            try await harness.waitForStatus(id, .completed)
        }
        await engine.shutdown()
    }

    @Test("a claim that finds the last slot held by a poll's claim, which then fails, is not left to the timed poll")
    func claimRefusedWhileAPollsClaimFails() async throws {
        let due = try await DueInTheStoreOnly(["a", "signalled"], slots: 1)
        let (harness, faults, engine) = (due.harness, due.faults, due.engine)
        // The page is "a" alone. While the poll claims it, a claim of "signalled" (as a command or a timer makes) finds
        // no free slot, and another engine takes "a".
        let observed = EffectLog()
        await Self.takeElsewhere(
            "a", whenClaimedBy: engine, once: 0, faults: faults, clock: harness.clock, observed: observed
        ) {
            let acquisitions = await faults.leaseAcquisitions.byId
            await engine.claim("signalled")
            if await faults.leaseAcquisitions.byId == acquisitions, !engine.slots.isBusy("signalled") {
                observed.record("refused", key: "signalled", attempt: 1)
            }
        }

        await engine.pollDueSagas()
        try await harness.waitForStatus("signalled", .completed)
        #expect(observed.count("refused") == 1, "the claim found no free slot")
        #expect(try await harness.store.load(sagaId: "a")?.leaseOwner == "engine-2")
        await engine.shutdown()
    }
}

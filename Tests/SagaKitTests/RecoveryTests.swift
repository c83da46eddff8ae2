import Foundation
import SagaKitTesting
import Synchronization
import Testing

@testable import SagaKit

@Suite("Recovery")
struct RecoveryTests {
    @Test(
        "a step that did its effect and then lost its executor before the result was recorded runs again with the same key"
    )
    func effectThenCrash() async throws {
        let harness = SagaTestHarness()
        let log = EffectLog()
        let crashing = harness.startEngine(harness.configuration(instanceId: "crashing"))
        let script = StepScript([
            .run {
                Task { await crashing.crash() }
                try? await Task.sleep(for: .seconds(3600))
            }
        ])
        let definition = TestSagas.fourSteps(log: log, scripts: ["C": script])
        try harness.registry.register(definition)
        _ = try await crashing.engine.start(definition, sagaId: "ec", input: TestInput())
        try await crashing.task.value
        let afterCrash = try #require(try await harness.store.load(sagaId: "ec"))
        #expect(afterCrash.types.last == "StepStarted")
        #expect(afterCrash.events.last?.step == "C")

        let survivor = harness.startEngine(harness.configuration(instanceId: "survivor"))
        harness.clock.advance(by: .seconds(31))
        try await harness.waitForParked("ec", after: .stepFailed)
        harness.clock.advance(by: .seconds(1))
        let record = try await harness.waitForStatus("ec", .completed)

        #expect(log.names == ["A", "B", "C", "C", "D"])
        #expect(log.keys("C") == ["ec/C", "ec/C"])
        #expect(log.all.filter { $0.name == "C" }.map(\.attempt) == [1, 2])
        #expect(log.count("A") == 1)
        #expect(log.count("B") == 1)
        #expect(SagaReplayer.check(history: record.events, against: definition).isEmpty)
        await survivor.stop()
    }

    @Test("when the append of a step's result keeps failing, the step is run again later with the same key")
    func appendFails() async throws {
        let harness = SagaTestHarness()
        let store = try #require(harness.faults)
        let log = EffectLog()
        let definition = TestSagas.fourSteps(log: log)
        try harness.registry.register(definition)
        await store.injectAppendFault(
            AppendFault(timing: .beforeWrite, times: 100) { request in
                request.events.contains { $0.type == "StepCompleted" && $0.step == "B" }
            })
        let engine = harness.makeEngine()
        _ = try await engine.start(definition, sagaId: "af", input: TestInput())
        try await harness.waitFor("af", "B attempted") { _ in log.count("B") == 1 }
        try await waitUntil { await engine.heldCount == 0 }
        let stalled = try #require(try await harness.store.load(sagaId: "af"))
        #expect(stalled.types.last == "StepStarted")
        #expect(stalled.leaseOwner == "engine-1")

        await store.clearFaults()
        harness.clock.advance(by: .seconds(31))
        await engine.pollDueSagas()
        try await harness.waitForParked("af", after: .stepFailed)
        harness.clock.advance(by: .seconds(1))
        await engine.pollDueSagas()
        let record = try await harness.waitForStatus("af", .completed)

        #expect(log.names == ["A", "B", "B", "C", "D"])
        #expect(log.keys("B") == ["af/B", "af/B"])
        #expect(record.events(of: .stepFailed).first?.data?["error"]?["kind"] == "AttemptInterrupted")
        await engine.shutdown()
    }

    @Test("an append that landed but reported an error is recognised on retry; nothing runs twice")
    func ambiguousWrite() async throws {
        let harness = SagaTestHarness()
        let store = try #require(harness.faults)
        let log = EffectLog()
        let definition = TestSagas.fourSteps(log: log)
        try harness.registry.register(definition)
        await store.injectAppendFault(AppendFault(matching: .stepCompleted, timing: .afterWrite, times: 1))
        let engine = harness.makeEngine()
        _ = try await engine.start(definition, sagaId: "aw", input: TestInput())
        let record = try await harness.waitForStatus("aw", .completed)

        #expect(log.names == ["A", "B", "C", "D"])
        #expect(record.events(of: .stepCompleted).count == 4)
        #expect(SagaReplayer.check(history: record.events, against: definition).isEmpty)
        await engine.shutdown()
    }

    @Test("an append without events that changed the status and landed is recognised by the status it set")
    func ambiguousStatusChange() {
        let now = SagaTime.truncated(Date())
        func request(_ lease: AppendRequest.LeaseUpdate, status: SagaStatus = .stuck) -> AppendRequest {
            AppendRequest(
                sagaId: "st", owner: "me", expectedSeq: 7, expectedInboxCount: 1, expectedStatus: .running,
                events: [], status: status, currentStep: "B", dueAt: nil, lease: lease)
        }
        func record(_ status: SagaStatus, lastSeq: Int64 = 7, owner: String?) -> SagaRecord {
            SagaRecord(
                id: "st", definitionName: "d", definitionVersion: 1, status: status, currentStep: "B", startedAt: now,
                updatedAt: now, lastSeq: lastSeq, leaseOwner: owner, leaseUntil: nil, dueAt: nil,
                inbox: [SagaSignalRecord(name: "approve", at: now)], events: [], input: .null)
        }
        let keep = request(.keep(until: now.addingTimeInterval(30)))
        #expect(keep.landed(in: record(.stuck, owner: "me")))
        #expect(request(.release).landed(in: record(.stuck, owner: nil)), "a release clears it")
        #expect(!keep.landed(in: record(.running, owner: "me")), "it did not land")
        #expect(!keep.landed(in: record(.stuck, lastSeq: 8, owner: "me")), "more happened since")
        #expect(!request(.release).landed(in: record(.stuck, owner: "other")), "another took it")
        #expect(
            !request(.release, status: .running).landed(in: record(.running, owner: nil)),
            "no change of status tells nothing")
    }

    @Test("a transient store failure is retried and the saga carries on")
    func transientStoreFailure() async throws {
        let harness = SagaTestHarness()
        let store = try #require(harness.faults)
        let log = EffectLog()
        let definition = TestSagas.fourSteps(log: log)
        try harness.registry.register(definition)
        await store.injectAppendFault(AppendFault(timing: .beforeWrite, times: 2))
        let engine = harness.makeEngine()
        _ = try await engine.start(definition, sagaId: "tf", input: TestInput())
        try await harness.waitForStatus("tf", .completed)
        #expect(log.names == ["A", "B", "C", "D"])
        await engine.shutdown()
    }

    @Test("graceful shutdown lets the running attempt finish, records it, and hands the saga over at once")
    func gracefulShutdown() async throws {
        let harness = SagaTestHarness()
        let log = EffectLog()
        let gate = TestGate()
        let definition = TestSagas.fourSteps(log: log, scripts: ["B": StepScript([.wait(gate)])])
        try harness.registry.register(definition)
        let first = harness.startEngine(harness.configuration(instanceId: "first"))
        _ = try await first.engine.start(definition, sagaId: "gs", input: TestInput())
        try await gate.waitForArrivals(1)

        let stopping = Task { await first.stop() }
        try await waitUntil { !first.engine.isAcceptingWork }
        await #expect(throws: SagaEngineError.shuttingDown) {
            try await first.engine.start(definition, sagaId: "late", input: TestInput())
        }
        gate.open()
        await stopping.value

        let handedOver = try #require(try await harness.store.load(sagaId: "gs"))
        #expect(handedOver.types.last == "StepCompleted")
        #expect(handedOver.leaseOwner == nil)
        #expect(handedOver.dueAt == harness.clock.now)
        #expect(log.names == ["A", "B"])
        #expect(try await harness.store.load(sagaId: "late") == nil)

        let second = harness.startEngine(harness.configuration(instanceId: "second"))
        let record = try await harness.waitForStatus("gs", .completed)
        #expect(log.names == ["A", "B", "C", "D"])
        #expect(record.events(of: .stepFailed).isEmpty)
        await second.stop()
    }

    @Test("a second shutdown call returns only when the first one has finished handing over")
    func concurrentShutdowns() async throws {
        let harness = SagaTestHarness()
        let log = EffectLog()
        let gate = TestGate()
        let definition = TestSagas.fourSteps(log: log, scripts: ["B": StepScript([.wait(gate)])])
        try harness.registry.register(definition)
        let running = harness.startEngine()
        _ = try await running.engine.start(definition, sagaId: "twice", input: TestInput())
        try await gate.waitForArrivals(1)

        let engine = running.engine
        let first = Task { await engine.shutdown() }
        try await waitUntil { !engine.isAcceptingWork }
        let secondReturned = Mutex(false)
        let second = Task {
            await engine.shutdown()
            secondReturned.withLock { $0 = true }
        }
        try await Task.sleep(for: .milliseconds(50))
        #expect(!secondReturned.withLock { $0 }, "the attempt in flight has not finished, so neither has shutdown")
        gate.open()
        await second.value
        let record = try #require(try await harness.store.load(sagaId: "twice"))
        #expect(record.types.last == "StepCompleted", "the attempt's result was recorded before the call returned")
        #expect(record.leaseOwner == nil)
        await first.value
        await running.stop()
    }

    @Test(
        "a graceful shutdown during a claim's lease acquisition returns only once that claim has given the lease back")
    func shutdownDuringAClaim() async throws {
        let harness = SagaTestHarness()
        let log = EffectLog()
        let definition = TestSagas.fourSteps(log: log)
        try harness.registry.register(definition)
        let faults = try #require(harness.faults)
        // One engine records the saga without running it: its only slot is taken.
        let starter = harness.makeEngine(harness.configuration(instanceId: "starter", maxConcurrentSagas: 1))
        #expect(starter.slots.reserveStart())
        _ = try await starter.start(definition, sagaId: "due", input: TestInput())
        await starter.shutdown()
        // Another finds it due; its lease acquisition, and then its release, are held up until the test opens
        // their gates.
        let (acquiring, releasing) = (TestGate(), TestGate())
        await faults.setOnLeaseCall { call in
            switch call {
            case .acquire(_, "claimer"): try? await acquiring.wait()
            case .release(_, "claimer"): try? await releasing.wait()
            default: break
            }
        }
        let claimer = harness.makeEngine(harness.configuration(instanceId: "claimer"))
        let poll = Task { await claimer.pollDueSagas() }
        try await acquiring.waitForArrivals(1)

        let returned = Mutex(false)
        let shutdown = Task {
            await claimer.shutdown()
            returned.withLock { $0 = true }
        }
        try await waitUntil { !claimer.isAcceptingWork }
        acquiring.open()
        try await releasing.waitForArrivals(1)
        try await Task.sleep(for: .milliseconds(50))
        #expect(!returned.withLock { $0 }, "the claim in flight holds the shutdown until its lease is given back")
        releasing.open()
        await shutdown.value
        let record = try #require(try await harness.store.load(sagaId: "due"))
        #expect(record.leaseOwner == nil)
        #expect(record.types == ["SagaStarted"], "a stopping engine runs nothing")
        #expect(log.count("A") == 0)
        await poll.value
    }
}

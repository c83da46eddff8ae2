import Foundation
import MongoTesting
import SagaKit
import SagaKitMongo
import SagaKitTesting
import Testing

/// The stores the history-store contract is checked against.
///
/// Add a case per implementation; ``makeStore(clock:)`` must return a fresh, EMPTY store (list and count
/// tests see every saga in it) whose notion of "now" (used by `sendSignal`) follows `clock`.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case inMemory
    case mongo

    var testDescription: String { rawValue }

    /// A fresh, empty store.
    func makeStore(clock: TestClock) async throws -> any HistoryStore {
        switch self {
        case .inMemory:
            InMemoryHistoryStore(clock: clock)
        case .mongo:
            // A database of its own on the live test deployment (the test server is discarded after the run).
            try await {
                let store = MongoHistoryStore(
                    client: try TestDeployment.client(), databaseName: TestDeployment.uniqueName("history"),
                    clock: clock,
                    watchPollInterval: .milliseconds(200))
                try await store.prepare()
                return store
            }()
        }
    }
}

/// Builds histories and requests for the contract tests.
private struct Fixture {
    let clock = TestClock(now: SagaTime.truncated(Date()))
    let store: any HistoryStore

    init(_ kind: StoreKind) async throws {
        store = try await kind.makeStore(clock: clock)
    }

    var now: Date { clock.now }

    /// The kind of every saga the fixture starts, as an executor that runs it names it.
    static let runnable: [String: Set<Int>] = ["contract": [1]]

    func later(_ seconds: Double) -> Date { SagaTime.truncated(now.addingTimeInterval(seconds)) }

    /// SagaStarted, StepScheduled(A), StepStarted(A, 1).
    func firstEvents(at: Date? = nil) -> [HistoryEvent] {
        let at = at ?? now
        return [
            HistoryEvent(seq: 1, at: at, kind: .sagaStarted(definition: "contract", version: 1, input: ["n": 1])),
            HistoryEvent(seq: 2, at: at, kind: .stepScheduled(step: "A", kind: .action)),
            HistoryEvent(seq: 3, at: at, kind: .stepStarted(step: "A", attempt: 1)),
        ]
    }

    /// StepCompleted(A) and SagaCompleted, seq 4 and 5.
    func finishingEvents() -> [HistoryEvent] {
        [
            HistoryEvent(seq: 4, at: now, kind: .stepCompleted(step: "A", attempt: 1, result: ["ok": true])),
            HistoryEvent(seq: 5, at: now, kind: .sagaCompleted),
        ]
    }

    @discardableResult
    func start(
        _ id: String, owner: String? = "owner-1", startedAt: Date? = nil, dueAt: Date? = nil,
        input: JSONValue = ["n": 1]
    ) async throws -> SagaStartOutcome {
        let startedAt = startedAt ?? now
        return try await store.startSaga(
            SagaStartRequest(
                sagaId: id,
                definitionName: "contract",
                definitionVersion: 1,
                input: input,
                events: firstEvents(at: startedAt),
                status: .running,
                currentStep: "A",
                owner: owner,
                leaseUntil: owner == nil ? nil : later(30),
                dueAt: dueAt ?? startedAt,
                startedAt: startedAt
            ))
    }

    func append(
        _ id: String,
        owner: String = "owner-1",
        expectedSeq: Int64 = 3,
        inbox: Int = 0,
        expectedStatus: SagaStatus = .running,
        events: [HistoryEvent]? = nil,
        status: SagaStatus = .completed,
        currentStep: String? = nil,
        dueAt: Date? = nil,
        lease: AppendRequest.LeaseUpdate = .release
    ) async throws {
        try await store.append(
            AppendRequest(
                sagaId: id,
                owner: owner,
                expectedSeq: expectedSeq,
                expectedInboxCount: inbox,
                expectedStatus: expectedStatus,
                events: events ?? finishingEvents(),
                status: status,
                currentStep: currentStep,
                dueAt: dueAt,
                lease: lease
            ))
    }

    /// The conflict `body` throws, if it throws one.
    func conflict(_ body: () async throws -> Void) async -> AppendConflict? {
        do {
            try await body()
            return nil
        } catch HistoryStoreError.conflict(let conflict) {
            return conflict
        } catch {
            return nil
        }
    }
}

@Suite("HistoryStore contract")
struct HistoryStoreConformanceTests {
    @Test(
        "startSaga creates a saga once; a second start returns the existing saga unchanged",
        arguments: StoreKind.allCases)
    func startIsIdempotent(_ kind: StoreKind) async throws {
        let fixture = try await Fixture(kind)
        let created = try await fixture.start("s-1")
        #expect(created.isCreated)
        let record = created.record
        #expect(record.id == "s-1")
        #expect(record.definitionName == "contract")
        #expect(record.definitionVersion == 1)
        #expect(record.status == .running)
        #expect(record.currentStep == "A")
        #expect(record.lastSeq == 3)
        #expect(record.events == fixture.firstEvents())
        #expect(record.leaseOwner == "owner-1")
        #expect(record.leaseUntil == fixture.later(30))
        #expect(record.inbox.isEmpty)
        #expect(record.input == ["n": 1])

        let again = try await fixture.start("s-1", owner: "owner-2", input: ["n": 2])
        #expect(!again.isCreated)
        #expect(again.record.input == ["n": 1])
        #expect(again.record.leaseOwner == "owner-1")
        #expect(try await fixture.store.load(sagaId: "s-1") == record)
        #expect(try await fixture.store.load(sagaId: "missing") == nil)
        #expect(try await fixture.store.existingSagaIds(["s-1", "missing"]) == ["s-1"])
        #expect(try await fixture.store.existingSagaIds([]).isEmpty)
    }

    @Test(
        "append writes events and summary together, conditionally on seq, status, lease owner and inbox size",
        arguments: StoreKind.allCases)
    func conditionalAppend(_ kind: StoreKind) async throws {
        let fixture = try await Fixture(kind)
        try await fixture.start("s-1")

        let stale = await fixture.conflict { try await fixture.append("s-1", expectedSeq: 2) }
        #expect(stale?.reason == .staleSequence)
        #expect(stale?.current.lastSeq == 3)
        let otherStatus = await fixture.conflict { try await fixture.append("s-1", expectedStatus: .stuck) }
        #expect(otherStatus?.reason == .staleSequence, "a status other than the one decided from is stale too")
        #expect(otherStatus?.current.status == .running)

        let wrongOwner = await fixture.conflict { try await fixture.append("s-1", owner: "intruder") }
        #expect(wrongOwner?.reason == .leaseNotHeld)
        #expect(wrongOwner?.current.leaseOwner == "owner-1")

        #expect(
            try await fixture.store.sendSignal(
                sagaId: "s-1", signal: SagaSignalRecord(name: "approve", at: fixture.now)))
        let grew = await fixture.conflict { try await fixture.append("s-1", inbox: 0) }
        #expect(grew?.reason == .inboxChanged)
        #expect(grew?.current.inbox.count == 1)
        #expect(grew?.current.lastSeq == 3)

        await #expect(throws: HistoryStoreError.self) {
            try await fixture.append(
                "s-1", inbox: 1, events: [HistoryEvent(seq: 5, at: fixture.now, kind: .sagaCompleted)])
        }
        await #expect(throws: HistoryStoreError.self) {
            try await fixture.append(
                "s-1", inbox: 1, events: [HistoryEvent(seq: 3, at: fixture.now, kind: .sagaCompleted)])
        }
        #expect(try await fixture.store.load(sagaId: "s-1")?.lastSeq == 3)

        let keepUntil = fixture.later(60)
        try await fixture.append(
            "s-1", inbox: 1, events: [fixture.finishingEvents()[0]], status: .running, dueAt: fixture.now,
            lease: .keep(until: keepUntil)
        )
        var record = try #require(try await fixture.store.load(sagaId: "s-1"))
        #expect(record.lastSeq == 4)
        #expect(record.events.map(\.seq) == [1, 2, 3, 4])
        #expect(record.events.last == fixture.finishingEvents()[0])
        #expect(record.status == .running)
        #expect(record.currentStep == nil)
        #expect(record.dueAt == keepUntil, "a held saga is never due before its lease ends")
        #expect(record.leaseOwner == "owner-1")
        #expect(record.leaseUntil == keepUntil)

        try await fixture.append(
            "s-1", expectedSeq: 4, inbox: 1, events: [], status: .running, lease: .keep(until: fixture.later(10)))
        record = try #require(try await fixture.store.load(sagaId: "s-1"))
        #expect(record.leaseUntil == keepUntil, "keeping a lease never shortens it")
        #expect(record.lastSeq == 4)

        try await fixture.append(
            "s-1", expectedSeq: 4, inbox: 1, events: [fixture.finishingEvents()[1]], status: .completed)
        record = try #require(try await fixture.store.load(sagaId: "s-1"))
        #expect(record.status == .completed)
        #expect(record.lastSeq == 5)
        #expect(record.leaseOwner == nil)
        #expect(record.leaseUntil == nil)
        #expect(record.dueAt == nil)
        #expect(record.updatedAt == fixture.finishingEvents()[1].at)

        await #expect(throws: HistoryStoreError.self) { try await fixture.append("missing") }
    }

    @Test("events(after:) returns the events after a seq, in order", arguments: StoreKind.allCases)
    func eventsAfter(_ kind: StoreKind) async throws {
        let fixture = try await Fixture(kind)
        try await fixture.start("s-1")
        try await fixture.append("s-1")
        #expect(try await fixture.store.events(sagaId: "s-1", after: 0).map(\.seq) == [1, 2, 3, 4, 5])
        #expect(
            try await fixture.store.events(sagaId: "s-1", after: 2)
                == Array((fixture.firstEvents() + fixture.finishingEvents())[2...]))
        #expect(try await fixture.store.events(sagaId: "s-1", after: 5).isEmpty)
    }

    @Test(
        "watch yields every event after a seq in order as it is recorded, and finishes at a terminal status",
        arguments: StoreKind.allCases)
    func watch(_ kind: StoreKind) async throws {
        let fixture = try await Fixture(kind)
        try await fixture.start("s-1")
        let collected = Task {
            var seqs: [Int64] = []
            for try await event in fixture.store.watch(sagaId: "s-1", after: 1) { seqs.append(event.seq) }
            return seqs
        }
        let fromStart = Task {
            var seqs: [Int64] = []
            for try await event in fixture.store.watch(sagaId: "s-1", after: 0) { seqs.append(event.seq) }
            return seqs
        }
        try await fixture.append(
            "s-1", events: [fixture.finishingEvents()[0]], status: .running, lease: .keep(until: fixture.later(30)))
        try await fixture.append("s-1", expectedSeq: 4, events: [fixture.finishingEvents()[1]], status: .completed)

        #expect(try await Self.bounded { try await collected.value } == [2, 3, 4, 5])
        #expect(try await Self.bounded { try await fromStart.value } == [1, 2, 3, 4, 5])

        let afterEnd = Task {
            var seqs: [Int64] = []
            for try await event in fixture.store.watch(sagaId: "s-1", after: 3) { seqs.append(event.seq) }
            return seqs
        }
        #expect(try await Self.bounded { try await afterEnd.value } == [4, 5])

        let missing = Task {
            for try await _ in fixture.store.watch(sagaId: "missing", after: 0) {}
        }
        await #expect(throws: HistoryStoreError.self) { try await Self.bounded { try await missing.value } }
    }

    @Test(
        "list pages newest first (ties by id, descending) with a cursor, without duplicates or gaps",
        arguments: StoreKind.allCases)
    func listPaging(_ kind: StoreKind) async throws {
        let fixture = try await Fixture(kind)
        let base = fixture.now
        let starts: [(String, Double)] = [("a", 1), ("b", 2), ("c", 3), ("d", 3), ("e", 4), ("f", 5), ("g", 6)]
        for (id, offset) in starts {
            try await fixture.start(id, startedAt: SagaTime.truncated(base.addingTimeInterval(offset)))
        }
        for id in ["b", "d", "f"] {
            try await fixture.append(id)
        }
        let expected = ["g", "f", "e", "d", "c", "b", "a"]

        var seen: [String] = []
        var cursor: String?
        var pages = 0
        repeat {
            let page = try await fixture.store.list(SagaListQuery(limit: 3, cursor: cursor))
            seen += page.items.map(\.id)
            cursor = page.nextCursor
            pages += 1
        } while cursor != nil && pages < 10
        #expect(seen == expected)
        #expect(pages == 3)

        let completed = try await fixture.store.list(SagaListQuery(status: .completed, limit: 2))
        #expect(completed.items.map(\.id) == ["f", "d"])
        #expect(completed.items.allSatisfy { $0.status == .completed })
        let rest = try await fixture.store.list(
            SagaListQuery(status: .completed, limit: 2, cursor: completed.nextCursor))
        #expect(rest.items.map(\.id) == ["b"])
        #expect(rest.nextCursor == nil)

        let exact = try await fixture.store.list(SagaListQuery(status: .running, limit: 4))
        #expect(exact.items.map(\.id) == ["g", "e", "c", "a"])
        #expect(exact.nextCursor == nil)

        let summary = try #require(completed.items.first)
        #expect(summary.definition == "contract")
        #expect(summary.version == 1)
        #expect(summary.startedAt == SagaTime.truncated(base.addingTimeInterval(5)))
    }

    @Test("countsByStatus counts every status", arguments: StoreKind.allCases)
    func counts(_ kind: StoreKind) async throws {
        let fixture = try await Fixture(kind)
        for id in ["a", "b", "c"] { try await fixture.start(id) }
        try await fixture.append("b")
        let counts = try await fixture.store.countsByStatus()
        #expect(counts[.running] == 2)
        #expect(counts[.completed] == 1)
        #expect(counts[.stuck] == 0)
        #expect(Set(counts.keys) == Set(SagaStatus.allCases))
        try await fixture.append("c", events: [], status: .stuck, lease: .keep(until: fixture.later(60)))
        try await fixture.append("c", expectedStatus: .stuck, events: [], status: .compensating)
        let later = try await fixture.store.countsByStatus()
        #expect(later[.running] == 1 && later[.compensating] == 1 && later[.stuck] == 0 && later[.completed] == 1)
    }

    @Test(
        "leases: acquire when free, expired or own; renew in a batch; release with a due time",
        arguments: StoreKind.allCases)
    func leases(_ kind: StoreKind) async throws {
        let fixture = try await Fixture(kind)
        try await fixture.start("held", owner: "owner-1")
        try await fixture.start("free", owner: nil)

        #expect(
            try await fixture.store.acquireLease(
                sagaId: "held", owner: "owner-2", until: fixture.later(60), now: fixture.now) == nil)
        let own = try await fixture.store.acquireLease(
            sagaId: "held", owner: "owner-1", until: fixture.later(40), now: fixture.now)
        #expect(own?.leaseUntil == fixture.later(40))
        #expect(own?.dueAt == fixture.now, "the acquired record reports the due time it had")
        #expect(
            try await fixture.store.load(sagaId: "held")?.dueAt == fixture.later(40),
            "a leased saga is due when its lease runs out")
        let free = try await fixture.store.acquireLease(
            sagaId: "free", owner: "owner-2", until: fixture.later(30), now: fixture.now)
        #expect(free?.leaseOwner == "owner-2")
        #expect(free?.events.count == 3)
        #expect(
            try await fixture.store.acquireLease(
                sagaId: "missing", owner: "owner-2", until: fixture.later(30), now: fixture.now) == nil)

        let renewed = try await fixture.store.renewLeases(
            sagaIds: ["held", "free", "missing"], owner: "owner-1", until: fixture.later(50))
        #expect(renewed == ["held"])
        #expect(try await fixture.store.load(sagaId: "held")?.leaseUntil == fixture.later(50))
        #expect(try await fixture.store.load(sagaId: "held")?.dueAt == fixture.later(50), "renewal moves the due time")
        _ = try await fixture.store.renewLeases(sagaIds: ["held"], owner: "owner-1", until: fixture.later(45))
        #expect(
            try await fixture.store.load(sagaId: "held")?.leaseUntil == fixture.later(50),
            "renewal never shortens a lease")

        let expired = try await fixture.store.acquireLease(
            sagaId: "held", owner: "owner-2", until: fixture.later(120), now: fixture.later(50))
        #expect(expired?.leaseOwner == "owner-2")
        #expect(
            try await fixture.store.renewLeases(sagaIds: ["held"], owner: "owner-1", until: fixture.later(200)).isEmpty)

        try await fixture.store.releaseLease(sagaId: "held", owner: "owner-1", dueAt: nil)
        #expect(try await fixture.store.load(sagaId: "held")?.leaseOwner == "owner-2", "only the owner releases")
        try await fixture.store.releaseLease(sagaId: "held", owner: "owner-2", dueAt: fixture.later(5))
        let released = try #require(try await fixture.store.load(sagaId: "held"))
        #expect(released.leaseOwner == nil)
        #expect(released.leaseUntil == nil)
        #expect(released.dueAt == fixture.later(5))
    }

    @Test(
        "dueSagas finds sagas due by now whose lease is free or expired, earliest first, up to a limit",
        arguments: StoreKind.allCases)
    func dueSagas(_ kind: StoreKind) async throws {
        let fixture = try await Fixture(kind)
        try await fixture.start("late", owner: nil, dueAt: fixture.later(3))
        try await fixture.start("early", owner: nil, dueAt: fixture.later(1))
        try await fixture.start("future", owner: nil, dueAt: fixture.later(100))
        try await fixture.start("leased", owner: "owner-1", dueAt: fixture.later(2))
        try await fixture.start("idle", owner: "owner-1")
        try await fixture.append("idle", owner: "owner-1", expectedSeq: 3, events: [], status: .stuck, dueAt: nil)

        #expect(
            try await fixture.store.dueSagas(now: fixture.later(10), limit: 10, runnable: Fixture.runnable) == [
                "early", "late",
            ])
        #expect(
            try await fixture.store.dueSagas(now: fixture.later(10), limit: 1, runnable: Fixture.runnable) == ["early"])
        #expect(try await fixture.store.dueSagas(now: fixture.now, limit: 10, runnable: Fixture.runnable).isEmpty)
        #expect(
            try await fixture.store.dueSagas(now: fixture.later(31), limit: 10, runnable: Fixture.runnable) == [
                "early", "leased", "late",
            ])
        #expect(
            try await fixture.store.dueSagas(now: fixture.later(10), limit: 10, runnable: ["contract": [2]]).isEmpty)
        #expect(try await fixture.store.dueSagas(now: fixture.later(10), limit: 10, runnable: ["other": [1]]).isEmpty)
    }

    @Test("sendSignal appends to the inbox in order and makes the saga due now", arguments: StoreKind.allCases)
    func signals(_ kind: StoreKind) async throws {
        let fixture = try await Fixture(kind)
        try await fixture.start("s-1", owner: nil, dueAt: fixture.later(3600))
        let first = SagaSignalRecord(id: "sig-1", name: "approve", payload: ["by": "ops"], at: fixture.now)
        let second = SagaSignalRecord(
            id: "sig-2", name: SagaSignal.cancel, payload: ["reason": "late"], at: fixture.now)
        #expect(try await fixture.store.sendSignal(sagaId: "s-1", signal: first))
        #expect(try await fixture.store.sendSignal(sagaId: "s-1", signal: second))
        #expect(try await !fixture.store.sendSignal(sagaId: "missing", signal: first))

        let record = try #require(try await fixture.store.load(sagaId: "s-1"))
        #expect(record.inbox == [first, second])
        #expect(record.dueAt == fixture.now)
        #expect(try await fixture.store.dueSagas(now: fixture.now, limit: 10, runnable: Fixture.runnable) == ["s-1"])
    }

    @Test(
        "a conditional sendSignal lands only while the status, step and inbox it was decided on hold",
        arguments: StoreKind.allCases)
    func conditionalSignals(_ kind: StoreKind) async throws {
        let fixture = try await Fixture(kind)
        try await fixture.start("s-1", dueAt: nil)
        let signal = { (id: String) in
            SagaSignalRecord(id: id, name: SagaSignal.cancel, payload: .null, at: fixture.now)
        }
        let decided = SignalCondition(status: .running, currentStep: "A", inboxCount: 0)
        #expect(try await fixture.store.sendSignal(sagaId: "s-1", signal: signal("first"), ifUnchangedSince: decided))
        #expect(
            try await !fixture.store.sendSignal(sagaId: "s-1", signal: signal("racing"), ifUnchangedSince: decided),
            "decided on an empty inbox, which has a signal now")
        #expect(
            try await !fixture.store.sendSignal(sagaId: "missing", signal: signal("racing"), ifUnchangedSince: decided))

        // Another attempt of the same step changes nothing a command decides on.
        try await fixture.append(
            "s-1", inbox: 1, events: [HistoryEvent(seq: 4, at: fixture.now, kind: .stepStarted(step: "A", attempt: 2))],
            status: .running, currentStep: "A", lease: .keep(until: fixture.later(30)))
        let atA = SignalCondition(status: .running, currentStep: "A", inboxCount: 1)
        #expect(
            try await fixture.store.sendSignal(sagaId: "s-1", signal: signal("retried"), ifUnchangedSince: atA),
            "decided before another attempt of the step it is still at")

        // The saga completes: a command decided while it ran no longer lands.
        try await fixture.append(
            "s-1", expectedSeq: 4, inbox: 2,
            events: [HistoryEvent(seq: 5, at: fixture.now, kind: .sagaCompleted)])
        let running = SignalCondition(status: .running, currentStep: "A", inboxCount: 2)
        #expect(
            try await !fixture.store.sendSignal(sagaId: "s-1", signal: signal("late"), ifUnchangedSince: running),
            "decided while it ran; it has completed since")
        let completed = try #require(try await fixture.store.load(sagaId: "s-1"))
        #expect(completed.status == .completed && completed.currentStep == nil)
        #expect(
            try await fixture.store.sendSignal(
                sagaId: "s-1", signal: signal("late"), ifUnchangedSince: SignalCondition(completed)))
        #expect(try await fixture.store.load(sagaId: "s-1")?.inbox.map(\.id) == ["first", "retried", "late"])
    }

    /// Awaits `body`, failing after a few seconds of real time instead of hanging.
    private static func bounded<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: .seconds(5))
                throw BoundedWaitTimeout()
            }
            defer { group.cancelAll() }
            return try #require(try await group.next())
        }
    }
}

private struct BoundedWaitTimeout: Error {}

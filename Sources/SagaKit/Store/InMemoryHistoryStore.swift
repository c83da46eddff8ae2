import Foundation
import Synchronization

/// A ``HistoryStore`` in memory: the reference implementation, for the engine's own tests and benchmarks
/// (`SagaKitTesting` wraps it to inject faults).
///
/// Its state sits behind one lock rather than in an actor, so a call costs no hop to another executor: what the
/// engine bench measures is the engine, not the store.
///
/// ```swift
/// let store = InMemoryHistoryStore(clock: clock)
/// ```
public final class InMemoryHistoryStore: HistoryStore {
    struct State {
        var sagas: [String: SagaRecord] = [:]
        var watchers: [String: [UUID: Watcher]] = [:]
    }

    let state = Mutex(State())
    let clock: any SagaClock

    struct Watcher {
        let continuation: AsyncThrowingStream<HistoryEvent, any Error>.Continuation
        var lastYielded: Int64
    }

    /// Creates an empty store that reads time from `clock`.
    public init(clock: any SagaClock = SystemClock()) {
        self.clock = clock
    }

    /// Every saga, in no particular order.
    public func allRecords() -> [SagaRecord] { state.withLock { Array($0.sagas.values) } }

    /// Creates the saga, or returns the existing one unchanged (see ``HistoryStore/startSaga(_:)``).
    public func startSaga(_ start: SagaStartRequest) async throws -> SagaStartOutcome {
        guard let first = start.events.first, first.type == HistoryEvent.EventType.sagaStarted.rawValue else {
            throw HistoryStoreError.invalidRequest("a saga starts with a SagaStarted event")
        }
        try HistoryEvent.checkSequence(start.events, after: 0)
        let record = SagaRecord(
            id: start.sagaId,
            definitionName: start.definitionName,
            definitionVersion: start.definitionVersion,
            status: start.status,
            currentStep: start.currentStep,
            currentAttempt: start.currentAttempt,
            startedAt: SagaTime.truncated(start.startedAt),
            updatedAt: start.events.last?.at ?? start.startedAt,
            lastSeq: start.events.last?.seq ?? 0,
            leaseOwner: start.owner,
            leaseUntil: start.owner == nil ? nil : start.leaseUntil,
            dueAt: start.dueAt,
            inbox: [],
            events: start.events,
            input: start.input
        )
        return state.withLock { state in
            if let existing = state.sagas[start.sagaId] { return .existing(existing) }
            state.sagas[start.sagaId] = record
            return .created(record)
        }
    }

    /// Appends conditionally on seq, lease owner and inbox size (see ``HistoryStore/append(_:)``).
    ///
    /// The record is changed in place, so its history grows without being copied.
    public func append(_ request: AppendRequest) async throws {
        try state.withLock { state throws(HistoryStoreError) in
            guard let index = state.sagas.index(forKey: request.sagaId) else {
                throw HistoryStoreError.notFound(sagaId: request.sagaId)
            }
            if let reason = request.conflict(with: state.sagas.values[index]) {
                throw HistoryStoreError.conflict(AppendConflict(reason: reason, current: state.sagas.values[index]))
            }
            try HistoryEvent.checkSequence(request.events, after: request.expectedSeq)
            state.sagas.values[index].apply(request)
            if !state.watchers.isEmpty { state.notifyWatchers(of: state.sagas.values[index]) }
        }
    }

    /// Which of `sagaIds` exist.
    public func existingSagaIds(_ sagaIds: [String]) async throws -> Set<String> {
        state.withLock { state in Set(sagaIds.filter { state.sagas[$0] != nil }) }
    }

    /// The saga with every event and its inbox.
    public func load(sagaId: String) async throws -> SagaRecord? { state.withLock { $0.sagas[sagaId] } }

    /// The saga's events after `seq`.
    public func events(sagaId: String, after seq: Int64) async throws -> [HistoryEvent] {
        guard let record = state.withLock({ $0.sagas[sagaId] }) else {
            throw HistoryStoreError.notFound(sagaId: sagaId)
        }
        return record.events.filter { $0.seq > seq }
    }

    /// A page of sagas, newest started first.
    public func list(_ query: SagaListQuery) async throws -> SagaPage {
        var cursor: SagaListCursor?
        if let text = query.cursor {
            guard let decoded = SagaListCursor(encoded: text) else {
                throw HistoryStoreError.invalidRequest("bad cursor")
            }
            cursor = decoded
        }
        let matching = state.withLock { state in
            state.sagas.values.filter {
                (query.status == nil || $0.status == query.status)
                    && (cursor?.precedes(startedAt: $0.startedAt, id: $0.id) ?? true)
            }
        }
        .sorted { lhs, rhs in
            lhs.startedAt != rhs.startedAt ? lhs.startedAt > rhs.startedAt : lhs.id > rhs.id
        }
        let page = Array(matching.prefix(query.limit))
        let next =
            matching.count > query.limit
            ? page.last.map { SagaListCursor(startedAt: $0.startedAt, id: $0.id).encoded } : nil
        return SagaPage(items: page.map(\.summary), nextCursor: next)
    }

    /// How many sagas have each status.
    public func countsByStatus() async throws -> [SagaStatus: Int] {
        var counts = Dictionary(uniqueKeysWithValues: SagaStatus.allCases.map { ($0, 0) })
        state.withLock { state in
            for record in state.sagas.values { counts[record.status, default: 0] += 1 }
        }
        return counts
    }

    /// Takes the lease when free, expired or already `owner`'s.
    public func acquireLease(sagaId: String, owner: String, until: Date, now: Date) async throws -> SagaRecord? {
        state.withLock { state in
            guard var record = state.sagas[sagaId] else { return nil }
            let free =
                record.leaseOwner == nil || record.leaseOwner == owner || (record.leaseUntil ?? .distantPast) <= now
            guard free else { return nil }
            record.leaseOwner = owner
            record.leaseUntil = until
            let previousDueAt = record.dueAt
            record.dueAt = until
            state.sagas[sagaId] = record
            record.dueAt = previousDueAt
            return record
        }
    }

    /// Extends the leases `owner` still holds, never shortening one.
    public func renewLeases(sagaIds: [String], owner: String, until: Date) async throws -> Set<String> {
        state.withLock { state in
            var held: Set<String> = []
            for id in sagaIds {
                guard var record = state.sagas[id], record.leaseOwner == owner else { continue }
                record.leaseUntil = max(record.leaseUntil ?? until, until)
                record.dueAt = max(record.dueAt ?? until, until)
                state.sagas[id] = record
                held.insert(id)
            }
            return held
        }
    }

    /// Gives up `owner`'s lease and sets the due time.
    public func releaseLease(sagaId: String, owner: String, dueAt: Date?) async throws {
        state.withLock { state in
            guard var record = state.sagas[sagaId], record.leaseOwner == owner else { return }
            record.leaseOwner = nil
            record.leaseUntil = nil
            record.dueAt = dueAt
            state.sagas[sagaId] = record
        }
    }

    /// Sagas of the `runnable` definitions and versions due by `now` with a free or expired lease, earliest first.
    public func dueSagas(now: Date, limit: Int, runnable: [String: Set<Int>]) async throws -> [String] {
        state.withLock { state in
            state.sagas.values.filter { record in
                guard let dueAt = record.dueAt, dueAt <= now else { return false }
                guard runnable[record.definitionName]?.contains(record.definitionVersion) == true else { return false }
                return record.leaseOwner == nil || (record.leaseUntil ?? .distantPast) <= now
            }
        }
        .sorted { ($0.dueAt ?? .distantPast, $0.id) < ($1.dueAt ?? .distantPast, $1.id) }
        .prefix(max(0, limit))
        .map(\.id)
    }

    /// Pushes a signal onto the inbox (if the saga still meets `condition`, when given) and makes the saga due now
    /// (the store clock's now).
    public func sendSignal(sagaId: String, signal: SagaSignalRecord, ifUnchangedSince condition: SignalCondition?)
        async throws -> Bool
    {
        let now = SagaTime.truncated(clock.now)
        return state.withLock { state in
            guard var record = state.sagas[sagaId] else { return false }
            if let condition, !condition.holds(for: record) { return false }
            record.inbox.append(signal)
            record.dueAt = min(record.dueAt ?? now, now)
            state.sagas[sagaId] = record
            return true
        }
    }
}

extension SagaRecord {
    /// Records an accepted append: its events, summary fields, due time and lease.
    fileprivate mutating func apply(_ request: AppendRequest) {
        events.append(contentsOf: request.events)
        lastSeq = request.events.last?.seq ?? lastSeq
        status = request.status
        currentStep = request.currentStep
        currentAttempt = request.currentAttempt
        if let last = request.events.last { updatedAt = last.at }
        dueAt = request.dueAt
        switch request.lease {
        case .keep(let until):
            leaseUntil = max(leaseUntil ?? until, until)
            // A held saga is never due before its lease ends (the due-saga poll relies on it).
            dueAt = max(request.dueAt ?? until, leaseUntil ?? until)
        case .release:
            leaseOwner = nil
            leaseUntil = nil
        }
    }
}

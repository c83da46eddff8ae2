import Foundation
import SagaKit

/// A failure ``FaultInjectingHistoryStore`` injects into appends.
public struct AppendFault: Sendable {
    /// Whether the append fails before anything is written, or is written and then reported as failed.
    public enum Timing: Sendable {
        /// Nothing is written.
        case beforeWrite
        /// The events are written, but the caller sees an error (an ambiguous write).
        case afterWrite
    }

    /// Which appends fail.
    public let matches: @Sendable (AppendRequest) -> Bool
    /// When the failure happens.
    public let timing: Timing
    /// The error thrown.
    public let error: HistoryStoreError
    /// How many more appends fail.
    public var remaining: Int

    /// A fault for appends `matches` selects.
    public init(
        timing: Timing = .beforeWrite,
        times: Int = 1,
        error: HistoryStoreError = .unavailable("injected fault"),
        matches: @escaping @Sendable (AppendRequest) -> Bool = { _ in true }
    ) {
        self.matches = matches
        self.timing = timing
        self.error = error
        self.remaining = times
    }

    /// A fault for appends carrying an event of `type`.
    public init(
        matching type: HistoryEvent.EventType,
        timing: Timing = .beforeWrite,
        times: Int = 1,
        error: HistoryStoreError = .unavailable("injected fault")
    ) {
        self.init(timing: timing, times: times, error: error) { request in
            request.events.contains { $0.type == type.rawValue }
        }
    }
}

/// A ``HistoryStore`` around another that fails chosen appends, before or after they are written (an ambiguous
/// write), and lets a test run code at the moment an append arrives; everything else passes through.
///
/// ```swift
/// let store = FaultInjectingHistoryStore(wrapping: InMemoryHistoryStore(clock: clock))
/// await store.injectAppendFault(.init(matching: .stepCompleted, timing: .afterWrite))
/// ```
public actor FaultInjectingHistoryStore: HistoryStore {
    /// The store underneath.
    public nonisolated let base: any HistoryStore
    private var faults: [AppendFault] = []
    private var onAppend: (timing: AppendFault.Timing, hook: @Sendable (AppendRequest) async -> Void)?
    /// Lease acquisitions that read the saga (``acquireLease(sagaId:owner:until:now:)``), and those that came with
    /// the saga's known state (``acquireLease(of:owner:until:now:)``), so far.
    public private(set) var leaseAcquisitions: (byId: Int, ofKnown: Int) = (0, 0)
    private var dueSagasAlso: [String] = []
    private var dueSagasFaults = 0
    private var onLeaseCall: (@Sendable (LeaseCall) async -> Void)?
    private var onDueSagas: (@Sendable () async -> Void)?
    private var leaseAcquisitionsFail = false
    /// How many due-saga polls reached this store so far.
    public private(set) var dueSagasCalls = 0
    /// Whether it takes ``TestOutcomeWrites`` with appends and starts.
    public nonisolated let takesOutcomeWrites: Bool
    /// The appends that came after outcome writes all of which applied, so far.
    public private(set) var appendsAfterWrites: [AppendRequest] = []

    /// Wraps `base`; `takingOutcomeWrites` makes it take ``TestOutcomeWrites`` (made here, before the call reaches
    /// `base`), as a store that makes business writes does.
    public init(wrapping base: any HistoryStore, takingOutcomeWrites: Bool = false) {
        self.base = base
        self.takesOutcomeWrites = takingOutcomeWrites
    }

    public func append(_ request: AppendRequest, after writes: any OutcomeWrites) async throws {
        try make(writes)
        appendsAfterWrites.append(request)
        try await append(request)
    }

    public func startSaga(_ start: SagaStartRequest, after writes: any OutcomeWrites) async throws
        -> SagaStartOutcome
    {
        try make(writes)
        return try await startSaga(start)
    }

    /// Makes `writes` in order; the first that throws is refused, and the rest are not made.
    private func make(_ writes: any OutcomeWrites) throws {
        guard takesOutcomeWrites, let writes = writes as? TestOutcomeWrites else {
            throw HistoryStoreError.outcomeWritesRefused(
                HistoryStoreError.invalidRequest("this store takes no \(type(of: writes))"))
        }
        for write in writes.writes {
            do {
                try write()
            } catch {
                throw HistoryStoreError.outcomeWritesRefused(error)
            }
        }
    }

    /// Makes matching appends fail (see ``AppendFault``); faults are consulted in the order injected.
    public func injectAppendFault(_ fault: AppendFault) {
        faults.append(fault)
    }

    /// Removes every injected fault.
    public func clearFaults() {
        faults.removeAll()
    }

    /// Sets or clears the hook called with every append request, before it reaches the store or (`.afterWrite`) once
    /// the store has written it, before the caller hears back.
    public func setOnAppend(
        _ hook: (@Sendable (AppendRequest) async -> Void)?, timing: AppendFault.Timing = .beforeWrite
    ) {
        onAppend = hook.map { (timing, $0) }
    }

    public func append(_ request: AppendRequest) async throws {
        if let onAppend, onAppend.timing == .beforeWrite { await onAppend.hook(request) }
        let fault = takeFault(for: request)
        if let fault, fault.timing == .beforeWrite { throw fault.error }
        try await base.append(request)
        if let onAppend, onAppend.timing == .afterWrite { await onAppend.hook(request) }
        if let fault, fault.timing == .afterWrite { throw fault.error }
    }

    private func takeFault(for request: AppendRequest) -> AppendFault? {
        guard let index = faults.firstIndex(where: { $0.remaining > 0 && $0.matches(request) }) else { return nil }
        faults[index].remaining -= 1
        let fault = faults[index]
        if fault.remaining == 0 { faults.remove(at: index) }
        return fault
    }

    public func startSaga(_ start: SagaStartRequest) async throws -> SagaStartOutcome {
        try await base.startSaga(start)
    }
    public func existingSagaIds(_ sagaIds: [String]) async throws -> Set<String> {
        try await base.existingSagaIds(sagaIds)
    }
    public func load(sagaId: String) async throws -> SagaRecord? { try await base.load(sagaId: sagaId) }
    public func events(sagaId: String, after seq: Int64) async throws -> [HistoryEvent] {
        try await base.events(sagaId: sagaId, after: seq)
    }
    public nonisolated func watch(sagaId: String, after seq: Int64) -> AsyncThrowingStream<HistoryEvent, any Error> {
        base.watch(sagaId: sagaId, after: seq)
    }
    public func list(_ query: SagaListQuery) async throws -> SagaPage { try await base.list(query) }
    public func countsByStatus() async throws -> [SagaStatus: Int] { try await base.countsByStatus() }
    /// A lease acquisition or release, as ``setOnLeaseCall(_:)``'s hook sees it.
    public enum LeaseCall: Sendable, Hashable {
        case acquire(sagaId: String, owner: String)
        case release(sagaId: String, owner: String)
    }

    /// Sets or clears the hook called with every lease acquisition and release before it reaches the store.
    public func setOnLeaseCall(_ hook: (@Sendable (LeaseCall) async -> Void)?) {
        onLeaseCall = hook
    }

    public func acquireLease(sagaId: String, owner: String, until: Date, now: Date) async throws -> SagaRecord? {
        if let onLeaseCall { await onLeaseCall(.acquire(sagaId: sagaId, owner: owner)) }
        if leaseAcquisitionsFail { throw HistoryStoreError.unavailable("injected fault") }
        leaseAcquisitions.byId += 1
        return try await base.acquireLease(sagaId: sagaId, owner: owner, until: until, now: now)
    }
    public func acquireLease(of known: SagaRecord, owner: String, until: Date, now: Date) async throws -> SagaRecord? {
        if let onLeaseCall { await onLeaseCall(.acquire(sagaId: known.id, owner: owner)) }
        if leaseAcquisitionsFail { throw HistoryStoreError.unavailable("injected fault") }
        leaseAcquisitions.ofKnown += 1
        return try await base.acquireLease(of: known, owner: owner, until: until, now: now)
    }
    public func renewLeases(sagaIds: [String], owner: String, until: Date) async throws -> Set<String> {
        try await base.renewLeases(sagaIds: sagaIds, owner: owner, until: until)
    }
    public func releaseLease(sagaId: String, owner: String, dueAt: Date?) async throws {
        if let onLeaseCall { await onLeaseCall(.release(sagaId: sagaId, owner: owner)) }
        try await base.releaseLease(sagaId: sagaId, owner: owner, dueAt: dueAt)
    }
    public func dueSagas(now: Date, limit: Int, runnable: [String: Set<Int>]) async throws -> [String] {
        dueSagasCalls += 1
        if let onDueSagas { await onDueSagas() }
        if dueSagasFaults > 0 {
            dueSagasFaults -= 1
            throw HistoryStoreError.unavailable("injected fault")
        }
        let also = dueSagasAlso
        dueSagasAlso = []
        let due = try await base.dueSagas(now: now, limit: limit, runnable: runnable)
        return (also.filter { !due.contains($0) } + due).prefix(max(0, limit)).map { $0 }
    }

    /// Makes every lease acquisition fail as unavailable while `fail` is set, as a database that answers reads but
    /// takes no writes would.
    public func setLeaseAcquisitionsFail(_ fail: Bool) {
        leaseAcquisitionsFail = fail
    }

    /// Sets or clears the hook awaited at the start of every ``dueSagas(now:limit:runnable:)`` call, before an
    /// injected failure.
    public func setOnDueSagas(_ hook: (@Sendable () async -> Void)?) {
        onDueSagas = hook
    }

    /// Makes the next `times` calls of ``dueSagas(now:limit:runnable:)`` fail as unavailable.
    public func injectDueSagasFault(times: Int = 1) {
        dueSagasFaults += times
    }

    /// How many injected ``dueSagas(now:limit:runnable:)`` failures are still to come.
    public var pendingDueSagasFaults: Int { dueSagasFaults }

    /// Makes the next ``dueSagas(now:limit:runnable:)`` answer these ids first as well, as a page read just before
    /// they were taken would.
    public func setDueSagasAlso(_ ids: [String]) {
        dueSagasAlso = ids
    }
    public func sendSignal(sagaId: String, signal: SagaSignalRecord, ifUnchangedSince condition: SignalCondition?)
        async throws -> Bool
    {
        try await base.sendSignal(sagaId: sagaId, signal: signal, ifUnchangedSince: condition)
    }
}

/// Business writes a ``FaultInjectingHistoryStore`` that takes them makes before an append or a start: each closure in
/// turn, one that throws being the refused write.
public struct TestOutcomeWrites: OutcomeWrites {
    /// The writes, in the order they are made.
    public let writes: [@Sendable () throws -> Void]

    /// `writes`, in the order they are to be made.
    public init(_ writes: (@Sendable () throws -> Void)...) {
        self.writes = writes
    }
}

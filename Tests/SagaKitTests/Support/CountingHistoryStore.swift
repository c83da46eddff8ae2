import Foundation
import SagaKit
import Synchronization

/// A store wrapper that counts the calls made about each saga (round trips).
final class CountingHistoryStore: HistoryStore {
    let base: any HistoryStore
    private let counts = Mutex<[String: [String: Int]]>([:])
    /// Runs before each `startSaga` reaches the base store (it may wait, or throw in its place).
    let beforeStart = Mutex<(@Sendable (SagaStartRequest) async throws -> Void)?>(nil)
    /// Runs before each `sendSignal` reaches the base store (what happens to the saga between a command's read and
    /// its signal).
    let beforeSignal = Mutex<(@Sendable (SagaSignalRecord) async throws -> Void)?>(nil)

    init(base: any HistoryStore) {
        self.base = base
    }

    /// Calls about `sagaId`, by method name.
    func calls(for sagaId: String) -> [String: Int] { counts.withLock { $0[sagaId] ?? [:] } }

    /// All calls about `sagaId`.
    func total(for sagaId: String) -> Int { calls(for: sagaId).values.reduce(0, +) }

    private func count(_ sagaId: String, _ method: String) {
        counts.withLock { $0[sagaId, default: [:]][method, default: 0] += 1 }
    }

    func startSaga(_ start: SagaStartRequest) async throws -> SagaStartOutcome {
        count(start.sagaId, "startSaga")
        if let hook = beforeStart.withLock({ $0 }) { try await hook(start) }
        return try await base.startSaga(start)
    }

    func append(_ request: AppendRequest) async throws {
        count(request.sagaId, "append")
        try await base.append(request)
    }

    func load(sagaId: String) async throws -> SagaRecord? {
        count(sagaId, "load")
        return try await base.load(sagaId: sagaId)
    }

    func existingSagaIds(_ sagaIds: [String]) async throws -> Set<String> {
        for id in sagaIds { count(id, "existing") }
        return try await base.existingSagaIds(sagaIds)
    }

    func events(sagaId: String, after seq: Int64) async throws -> [HistoryEvent] {
        count(sagaId, "events")
        return try await base.events(sagaId: sagaId, after: seq)
    }

    func watch(sagaId: String, after seq: Int64) -> AsyncThrowingStream<HistoryEvent, any Error> {
        base.watch(sagaId: sagaId, after: seq)
    }

    func list(_ query: SagaListQuery) async throws -> SagaPage { try await base.list(query) }

    func countsByStatus() async throws -> [SagaStatus: Int] { try await base.countsByStatus() }

    func acquireLease(sagaId: String, owner: String, until: Date, now: Date) async throws -> SagaRecord? {
        count(sagaId, "acquireLease")
        return try await base.acquireLease(sagaId: sagaId, owner: owner, until: until, now: now)
    }

    func renewLeases(sagaIds: [String], owner: String, until: Date) async throws -> Set<String> {
        for id in sagaIds { count(id, "renewLeases") }
        return try await base.renewLeases(sagaIds: sagaIds, owner: owner, until: until)
    }

    func releaseLease(sagaId: String, owner: String, dueAt: Date?) async throws {
        count(sagaId, "releaseLease")
        try await base.releaseLease(sagaId: sagaId, owner: owner, dueAt: dueAt)
    }

    func dueSagas(now: Date, limit: Int, runnable: [String: Set<Int>]) async throws -> [String] {
        try await base.dueSagas(now: now, limit: limit, runnable: runnable)
    }

    func sendSignal(sagaId: String, signal: SagaSignalRecord, ifUnchangedSince condition: SignalCondition?)
        async throws -> Bool
    {
        count(sagaId, "sendSignal")
        if let hook = beforeSignal.withLock({ $0 }) { try await hook(signal) }
        return try await base.sendSignal(sagaId: sagaId, signal: signal, ifUnchangedSince: condition)
    }
}

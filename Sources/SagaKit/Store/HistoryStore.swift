import Foundation

/// Where sagas live: their histories, inboxes, leases and due times.
///
/// The engine is the only writer of history; it writes through conditional appends, so two executors can
/// never both extend one history. Every method is one round trip. A MongoDB implementation keeps one
/// document per saga: summary fields (`status`, `currentStep`, `startedAt`, `updatedAt`, `lastSeq`,
/// `leaseOwner`, `leaseUntil`, `dueAt`), an `events` array and an `inbox` array; ``append(_:)`` is a
/// single `updateOne` filtered on `lastSeq`, `leaseOwner` and the inbox size.
///
/// Semantics every implementation must keep (``InMemoryHistoryStore`` is the reference, and the
/// conformance tests in `SagaKitMongoTests` check them):
/// * events of a saga have seq 1, 2, 3, … without gaps; appends that break this are refused;
/// * a lease is held by `leaseOwner` until `leaseUntil`; anyone may take an expired lease;
/// * `dueAt` says when someone should look at the saga; ``dueSagas(now:limit:runnable:)`` finds those due with no live
///   lease.
public protocol HistoryStore: Sendable {
    /// Creates a saga with its first events (seq 1…n) and, when `owner` is set, a lease for it;
    /// or returns the existing saga with that id unchanged.
    func startSaga(_ start: SagaStartRequest) async throws -> SagaStartOutcome

    /// Appends events atomically if the saga's last seq is `expectedSeq`, its lease is held by `owner`
    /// (expired or not, as long as nobody took it over), and its inbox has `expectedInboxCount` signals;
    /// sets `status`, `currentStep`, `updatedAt` (the last event's time), `dueAt` and the lease in the same write.
    ///
    /// Throws ``HistoryStoreError/conflict(_:)`` with the reason and the current record when a condition fails,
    /// ``HistoryStoreError/invalidRequest(_:)`` when the events' seqs do not continue `expectedSeq` by one each,
    /// and ``HistoryStoreError/notFound(sagaId:)`` when there is no such saga.
    func append(_ request: AppendRequest) async throws

    /// Whether ``append(_:after:)`` may be called: the store makes an attempt's business writes in one command with
    /// the append that records its outcome.
    var takesOutcomeWrites: Bool { get }

    /// Makes `writes`, in their order, and then ``append(_:)``s `request`, each only if everything before it was made.
    ///
    /// Throws ``HistoryStoreError/outcomeWritesRefused(_:)`` when one of `writes` was refused, or the store cannot make
    /// them (it takes none, or none of their type, any more): the writes before it may have been made, neither it nor
    /// the append was. Otherwise what ``append(_:)`` throws; a ``HistoryStoreError/conflict(_:)`` then means that every
    /// one of `writes` was made (by this call, or by an earlier try of the same append that landed).
    func append(_ request: AppendRequest, after writes: any OutcomeWrites) async throws

    /// Makes `writes`, in their order, and then ``startSaga(_:)``s `start`, each only if everything before it was made
    /// (a store that ``takesOutcomeWrites``); throws ``HistoryStoreError/outcomeWritesRefused(_:)`` when one of
    /// `writes` was refused, and otherwise does what ``startSaga(_:)`` does (the writes are made either way).
    func startSaga(_ start: SagaStartRequest, after writes: any OutcomeWrites) async throws -> SagaStartOutcome

    /// Which of `sagaIds` exist, in one round trip.
    func existingSagaIds(_ sagaIds: [String]) async throws -> Set<String>

    /// The saga with its summary, lease, inbox and every event; `nil` when there is none.
    func load(sagaId: String) async throws -> SagaRecord?

    /// The saga's events with seq greater than `seq`, in order.
    func events(sagaId: String, after seq: Int64) async throws -> [HistoryEvent]

    /// Every event with seq greater than `seq`, in order, as it is recorded.
    ///
    /// The stream finishes once the saga's status is terminal (COMPLETED, COMPENSATED, CANCELLED, REVERTED)
    /// and every event up to then was yielded; it fails with ``HistoryStoreError/notFound(sagaId:)``
    /// when there is no such saga.
    func watch(sagaId: String, after seq: Int64) -> AsyncThrowingStream<HistoryEvent, any Error>

    /// One page of sagas, newest started first (ties by id, descending), optionally of one status.
    func list(_ query: SagaListQuery) async throws -> SagaPage

    /// How many sagas have each status (every status present, zero included).
    func countsByStatus() async throws -> [SagaStatus: Int]

    /// The summaries of those of `sagaIds` that exist, by id.
    func summaries(sagaIds: [String]) async throws -> [String: SagaSummary]

    /// Takes the lease for `owner` until `until` if it is free, expired at `now`, or already `owner`'s, and makes
    /// the saga due at `until` (if the owner dies, someone looks when the lease runs out); returns the fresh
    /// record (inbox included) with the lease taken and the due time it had before (so a holder that lets go
    /// without deciding can put it back), or `nil` when another holds it or there is no such saga.
    func acquireLease(sagaId: String, owner: String, until: Date, now: Date) async throws -> SagaRecord?

    /// Takes the lease of a saga whose stored state the caller knows (`known`, unowned, as this process stored it),
    /// as ``acquireLease(sagaId:owner:until:now:)`` does; a store may take it with one conditional write that holds
    /// only if the saga is still exactly `known`, and otherwise reads it. Returns what that method returns.
    func acquireLease(of known: SagaRecord, owner: String, until: Date, now: Date) async throws -> SagaRecord?

    /// Extends, in one batched write, the leases `owner` still holds among `sagaIds` to at least `until`
    /// (never shortening one), moving their due time along; returns the ids whose lease `owner` still holds.
    func renewLeases(sagaIds: [String], owner: String, until: Date) async throws -> Set<String>

    /// Gives up `owner`'s lease and sets `dueAt` (when someone should look next; `nil`: only on a signal).
    /// Does nothing when `owner` does not hold the lease.
    func releaseLease(sagaId: String, owner: String, dueAt: Date?) async throws

    /// Ids of sagas of the `runnable` definitions at those versions with `dueAt <= now` whose lease is free or
    /// expired, earliest due first, at most `limit` (so sagas an executor cannot run, during a rolling deploy, never
    /// take the places of those it can).
    func dueSagas(now: Date, limit: Int, runnable: [String: Set<Int>]) async throws -> [String]

    /// Pushes `signal` onto the saga's inbox and sets `dueAt = min(dueAt, now)` (or `now` when it had none,
    /// `now` being the store's clock) so an executor looks soon.
    ///
    /// With `condition`, only while the saga is as a command saw it when it decided: the same status, step and
    /// number of signals (so a command lands only if nothing it decided on changed since, neither another signal
    /// nor a step that, say, completed the saga). `false` when there is no such saga or it has changed.
    func sendSignal(sagaId: String, signal: SagaSignalRecord, ifUnchangedSince condition: SignalCondition?)
        async throws -> Bool
}

extension HistoryStore {
    /// No outcome writes (what a store that cannot make business writes does).
    public var takesOutcomeWrites: Bool { false }

    /// Refuses: a store without outcome writes is never asked to make them.
    public func append(_ request: AppendRequest, after writes: any OutcomeWrites) async throws {
        throw HistoryStoreError.invalidRequest("this store makes no business writes")
    }

    /// Refuses: a store without outcome writes is never asked to make them.
    public func startSaga(_ start: SagaStartRequest, after writes: any OutcomeWrites) async throws
        -> SagaStartOutcome
    {
        throw HistoryStoreError.invalidRequest("this store makes no business writes")
    }

    /// The summaries, one saga read at a time (what a store without a cheaper batched read does).
    public func summaries(sagaIds: [String]) async throws -> [String: SagaSummary] {
        var found: [String: SagaSummary] = [:]
        for id in sagaIds {
            if let record = try await load(sagaId: id) { found[id] = record.summary }
        }
        return found
    }

    /// Takes the lease by reading the saga (what a store without a cheaper conditional write does).
    public func acquireLease(of known: SagaRecord, owner: String, until: Date, now: Date) async throws -> SagaRecord? {
        try await acquireLease(sagaId: known.id, owner: owner, until: until, now: now)
    }

    /// Pushes `signal` onto the saga's inbox whatever it holds; `false` when there is no such saga.
    public func sendSignal(sagaId: String, signal: SagaSignalRecord) async throws -> Bool {
        try await sendSignal(sagaId: sagaId, signal: signal, ifUnchangedSince: nil)
    }
}

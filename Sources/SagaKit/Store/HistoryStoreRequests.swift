import Foundation

/// Everything needed to create a saga: its first events, summary fields and (optionally) a lease.
public struct SagaStartRequest: Sendable, Hashable {
    /// The saga's id; a second start with the same id returns the existing saga unchanged.
    public var sagaId: String
    /// The definition it runs.
    public var definitionName: String
    /// The definition version it runs.
    public var definitionVersion: Int
    /// Its input.
    public var input: JSONValue
    /// Its first events, seq 1…n, the first being `SagaStarted`.
    public var events: [HistoryEvent]
    /// Its status after those events.
    public var status: SagaStatus
    /// Its current step after those events.
    public var currentStep: String?
    /// That step's attempt, once one has started.
    public var currentAttempt: Int?
    /// The executor taking the lease, or `nil` to leave the saga unowned.
    public var owner: String?
    /// Until when the lease holds (with `owner`).
    public var leaseUntil: Date?
    /// When an executor should look at it next.
    public var dueAt: Date?
    /// When it started (normally the first event's time).
    public var startedAt: Date

    /// Creates a request.
    public init(
        sagaId: String,
        definitionName: String,
        definitionVersion: Int,
        input: JSONValue,
        events: [HistoryEvent],
        status: SagaStatus,
        currentStep: String?,
        currentAttempt: Int? = nil,
        owner: String?,
        leaseUntil: Date?,
        dueAt: Date?,
        startedAt: Date
    ) {
        self.sagaId = sagaId
        self.definitionName = definitionName
        self.definitionVersion = definitionVersion
        self.input = input
        self.events = events
        self.status = status
        self.currentStep = currentStep
        self.currentAttempt = currentAttempt
        self.owner = owner
        self.leaseUntil = leaseUntil
        self.dueAt = dueAt
        self.startedAt = startedAt
    }
}

/// What ``HistoryStore/startSaga(_:)`` did.
public enum SagaStartOutcome: Sendable, Hashable {
    /// The saga was created as requested.
    case created(SagaRecord)
    /// A saga with this id already existed; it is returned unchanged.
    case existing(SagaRecord)

    /// The record, created or existing.
    public var record: SagaRecord {
        switch self {
        case .created(let record), .existing(let record): record
        }
    }

    /// Whether this call created the saga.
    public var isCreated: Bool {
        if case .created = self { return true }
        return false
    }
}

/// A conditional append: events plus the summary, lease and due time, written together or not at all.
public struct AppendRequest: Sendable, Hashable {
    /// The saga.
    public var sagaId: String
    /// The executor that must hold the lease.
    public var owner: String
    /// The saga's last `seq` the events follow; the first event's seq is this + 1.
    public var expectedSeq: Int64
    /// The inbox size the executor decided with; a larger inbox means a signal arrived (conflict).
    public var expectedInboxCount: Int
    /// The status the saga has before the events (another status means the executor's view is stale: conflict).
    /// Stores that count sagas by status count the change from this one to ``status``.
    public var expectedStatus: SagaStatus
    /// The events to append (may be empty: a conditional update of summary, lease and due time only).
    public var events: [HistoryEvent]
    /// The status after the events.
    public var status: SagaStatus
    /// The current step after the events.
    public var currentStep: String?
    /// The current step's attempt after the events, once one has started.
    public var currentAttempt: Int?
    /// When an executor should look at the saga next (`nil`: only on a signal).
    public var dueAt: Date?
    /// What happens to the lease.
    public var lease: LeaseUpdate

    /// What an append does to the lease.
    public enum LeaseUpdate: Sendable, Hashable {
        /// Keep it, extended to at least this time (never shortened).
        case keep(until: Date)
        /// Release it (the saga parks until `dueAt` or a signal).
        case release
    }

    /// Creates a request.
    public init(
        sagaId: String,
        owner: String,
        expectedSeq: Int64,
        expectedInboxCount: Int,
        expectedStatus: SagaStatus,
        events: [HistoryEvent],
        status: SagaStatus,
        currentStep: String?,
        currentAttempt: Int? = nil,
        dueAt: Date?,
        lease: LeaseUpdate
    ) {
        self.sagaId = sagaId
        self.owner = owner
        self.expectedSeq = expectedSeq
        self.expectedInboxCount = expectedInboxCount
        self.expectedStatus = expectedStatus
        self.events = events
        self.status = status
        self.currentStep = currentStep
        self.currentAttempt = currentAttempt
        self.dueAt = dueAt
        self.lease = lease
    }

    /// Whether this append is in `record` already (an earlier try landed): its events are the tail of the history, or,
    /// without events, the status it set is there.
    public func landed(in record: SagaRecord) -> Bool {
        guard !events.isEmpty else {
            // Without events an append changes the summary only; one that changed the status shows it landed by the
            // status it set, everything else being as it expected.
            let owner: String? =
                switch lease {
                case .keep: self.owner
                case .release: nil
                }
            return status != expectedStatus && record.status == status && record.lastSeq == expectedSeq
                && record.leaseOwner == owner && record.inbox.count == expectedInboxCount
        }
        guard record.lastSeq == expectedSeq + Int64(events.count) else { return false }
        return Array(record.events.suffix(events.count)) == events
    }

    /// The first condition `record` breaks, checked in the protocol's order (lease, sequence and status, inbox);
    /// nil when the request may be appended.
    public func conflict(with record: SagaRecord) -> AppendConflict.Reason? {
        if record.leaseOwner != owner { return .leaseNotHeld }
        if record.lastSeq != expectedSeq || record.status != expectedStatus { return .staleSequence }
        if record.inbox.count != expectedInboxCount { return .inboxChanged }
        return nil
    }
}

/// A page request for ``HistoryStore/list(_:)``.
public struct SagaListQuery: Sendable, Hashable {
    /// Only sagas with this status, or all.
    public var status: SagaStatus?
    /// At most this many items (clamped to 1…500).
    public var limit: Int
    /// Where the previous page ended (its `nextCursor`), or `nil` for the first page.
    public var cursor: String?

    /// Creates a query.
    public init(status: SagaStatus? = nil, limit: Int = 50, cursor: String? = nil) {
        self.status = status
        self.limit = min(500, max(1, limit))
        self.cursor = cursor
    }
}

/// One page of sagas, newest started first (ties by id, descending).
public struct SagaPage: Sendable, Hashable {
    /// The sagas on this page.
    public var items: [SagaSummary]
    /// The cursor of the next page; `nil` on the last page.
    public var nextCursor: String?

    /// Creates a page.
    public init(items: [SagaSummary], nextCursor: String?) {
        self.items = items
        self.nextCursor = nextCursor
    }
}

/// What a conditional ``HistoryStore/sendSignal(sagaId:signal:ifUnchangedSince:)`` requires of the saga: what a
/// command was decided on.
///
/// A command's decision reads the saga's status, the step it is at, and its signals (pending or consumed: the inbox
/// only grows). Events that change none of these — another attempt of the same step, however often a step retries —
/// leave the condition met, so a command cannot be crowded out by a saga's own retries.
public struct SignalCondition: Sendable, Hashable {
    /// The saga's status.
    public var status: SagaStatus
    /// The step it is at (nil: none).
    public var currentStep: String?
    /// How many signals its inbox held.
    public var inboxCount: Int

    /// A condition on the status, the current step and the inbox's size.
    public init(status: SagaStatus, currentStep: String?, inboxCount: Int) {
        self.status = status
        self.currentStep = currentStep
        self.inboxCount = inboxCount
    }

    /// The condition `record` meets as it stands.
    public init(_ record: SagaRecord) {
        self.init(status: record.status, currentStep: record.currentStep, inboxCount: record.inbox.count)
    }

    /// Whether `record` still meets it.
    public func holds(for record: SagaRecord) -> Bool {
        record.status == status && record.currentStep == currentStep && record.inbox.count == inboxCount
    }
}

import Foundation

/// A saga as its store keeps it: summary fields, lease, inbox and the full history.
///
/// One MongoDB document per saga fits this shape: summary fields, an `events` array and an `inbox` array.
public struct SagaRecord: Sendable, Hashable {
    /// The saga's id.
    public var id: String
    /// The definition it runs.
    public var definitionName: String
    /// The definition version it runs.
    public var definitionVersion: Int
    /// Its status, as of its last event.
    public var status: SagaStatus
    /// The step or compensation it is at, as of its last event.
    public var currentStep: String?
    /// The attempt of that step or compensation, once one has started.
    public var currentAttempt: Int?
    /// When it started.
    public var startedAt: Date
    /// When it last changed.
    public var updatedAt: Date
    /// The `seq` of its last event.
    public var lastSeq: Int64
    /// The executor holding its lease, if any.
    public var leaseOwner: String?
    /// Until when that lease holds.
    public var leaseUntil: Date?
    /// When an executor should look at it next (`nil`: only when a signal arrives).
    public var dueAt: Date?
    /// Signals sent to it, in arrival order; history events consume them by index.
    public var inbox: [SagaSignalRecord]
    /// Its history.
    public var events: [HistoryEvent]
    /// Its input.
    public var input: JSONValue

    /// Creates a record.
    public init(
        id: String,
        definitionName: String,
        definitionVersion: Int,
        status: SagaStatus,
        currentStep: String?,
        currentAttempt: Int? = nil,
        startedAt: Date,
        updatedAt: Date,
        lastSeq: Int64,
        leaseOwner: String?,
        leaseUntil: Date?,
        dueAt: Date?,
        inbox: [SagaSignalRecord],
        events: [HistoryEvent],
        input: JSONValue
    ) {
        self.id = id
        self.definitionName = definitionName
        self.definitionVersion = definitionVersion
        self.status = status
        self.currentStep = currentStep
        self.currentAttempt = currentAttempt
        self.startedAt = startedAt
        self.updatedAt = updatedAt
        self.lastSeq = lastSeq
        self.leaseOwner = leaseOwner
        self.leaseUntil = leaseUntil
        self.dueAt = dueAt
        self.inbox = inbox
        self.events = events
        self.input = input
    }

    /// The summary shown in lists.
    public var summary: SagaSummary {
        SagaSummary(
            id: id,
            definition: definitionName,
            version: definitionVersion,
            status: status,
            currentStep: currentStep,
            currentAttempt: currentAttempt,
            startedAt: startedAt,
            updatedAt: updatedAt
        )
    }
}

/// A signal in a saga's inbox.
public struct SagaSignalRecord: Codable, Sendable, Hashable {
    /// A unique id for the signal.
    public var id: String
    /// The signal's name (a wait's signal, or ``SagaSignal/cancel``, ``SagaSignal/retry``, ``SagaSignal/revert``).
    public var name: String
    /// The signal's payload.
    public var payload: JSONValue
    /// When it was sent.
    public var at: Date

    /// Creates a signal.
    public init(id: String = UUID().uuidString, name: String, payload: JSONValue = .null, at: Date) {
        self.id = id
        self.name = name
        self.payload = payload
        self.at = SagaTime.truncated(at)
    }
}

/// One line of a saga list.
public struct SagaSummary: Codable, Sendable, Hashable {
    /// The saga's id.
    public var id: String
    /// The definition it runs.
    public var definition: String
    /// The definition version it runs.
    public var version: Int
    /// Its status.
    public var status: SagaStatus
    /// The step or compensation it is at.
    public var currentStep: String?
    /// The attempt of that step or compensation, once one has started.
    public var currentAttempt: Int?
    /// When it started.
    public var startedAt: Date
    /// When it last changed.
    public var updatedAt: Date

    /// Creates a summary.
    public init(
        id: String, definition: String, version: Int, status: SagaStatus, currentStep: String?,
        currentAttempt: Int? = nil, startedAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.definition = definition
        self.version = version
        self.status = status
        self.currentStep = currentStep
        self.currentAttempt = currentAttempt
        self.startedAt = startedAt
        self.updatedAt = updatedAt
    }
}

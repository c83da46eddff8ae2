import Foundation

/// One recorded fact or decision in a saga's history: the truth the saga's state is folded from.
///
/// This is exactly what the REST API and the event stream show. `seq` runs 1, 2, 3, … per saga without gaps;
/// `type` is one of ``EventType``; `step` names the step or compensation the event is about;
/// `data` holds the event's details (see ``HistoryEvent/Kind`` for the typed view).
public struct HistoryEvent: Codable, Sendable, Hashable {
    /// The position in the saga's history, from 1, gap-free.
    public var seq: Int64
    /// The event type, one of ``EventType``'s raw values.
    public var type: String { didSet { forgetKind() } }
    /// The step or compensation the event is about, if any.
    public var step: String? { didSet { forgetKind() } }
    /// The attempt the event is about, if any.
    public var attempt: Int? { didSet { forgetKind() } }
    /// When the event was decided (millisecond precision).
    public var at: Date
    /// The event's details.
    public var data: JSONValue? {
        get {
            switch details {
            case .raw(let data): data
            case .typed(let kind): EventFields.data(of: kind)
            }
        }
        set { details = .raw(newValue) }
    }

    /// The details as read (raw JSON), or the typed view an event made by the engine keeps, from which `data` is
    /// derived when a store or a reader asks: deciding and folding never build or parse JSON for the engine's own
    /// events.
    enum Details: Sendable {
        case raw(JSONValue?)
        case typed(Kind)
    }

    var details: Details

    /// Creates an event from its raw fields.
    public init(seq: Int64, type: String, step: String? = nil, attempt: Int? = nil, at: Date, data: JSONValue? = nil) {
        self.seq = seq
        self.type = type
        self.step = step
        self.attempt = attempt
        self.at = at
        self.details = .raw(data)
    }

    /// A raw field changed: the typed view no longer describes the event, so it is replaced by the raw data.
    private mutating func forgetKind() {
        if case .typed(let kind) = details { details = .raw(EventFields.data(of: kind)) }
    }

    public static func == (lhs: HistoryEvent, rhs: HistoryEvent) -> Bool {
        lhs.seq == rhs.seq && lhs.type == rhs.type && lhs.step == rhs.step && lhs.attempt == rhs.attempt
            && lhs.at == rhs.at && lhs.data == rhs.data
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(seq)
        hasher.combine(type)
        hasher.combine(step)
        hasher.combine(attempt)
        hasher.combine(at)
        hasher.combine(data)
    }

    private enum CodingKeys: String, CodingKey {
        case seq, type, step, attempt, at, data
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            seq: try container.decode(Int64.self, forKey: .seq),
            type: try container.decode(String.self, forKey: .type),
            step: try container.decodeIfPresent(String.self, forKey: .step),
            attempt: try container.decodeIfPresent(Int.self, forKey: .attempt),
            at: try container.decode(Date.self, forKey: .at),
            data: try container.decodeIfPresent(JSONValue.self, forKey: .data))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(seq, forKey: .seq)
        try container.encode(type, forKey: .type)
        try container.encodeIfPresent(step, forKey: .step)
        try container.encodeIfPresent(attempt, forKey: .attempt)
        try container.encode(at, forKey: .at)
        try container.encodeIfPresent(data, forKey: .data)
    }

    /// The event types: the public names of history events.
    public enum EventType: String, Sendable, CaseIterable {
        /// The saga began.
        case sagaStarted = "SagaStarted"
        /// The saga moved to a step.
        case stepScheduled = "StepScheduled"
        /// An attempt of an action step began.
        case stepStarted = "StepStarted"
        /// A step finished with a result.
        case stepCompleted = "StepCompleted"
        /// An attempt failed.
        case stepFailed = "StepFailed"
        /// A step's condition was false.
        case stepSkipped = "StepSkipped"
        /// A durable timer began.
        case timerStarted = "TimerStarted"
        /// A durable timer fired.
        case timerFired = "TimerFired"
        /// A signal wait began.
        case signalWaitStarted = "SignalWaitStarted"
        /// An inbox signal was consumed.
        case signalReceived = "SignalReceived"
        /// A signal wait's deadline passed.
        case signalWaitTimedOut = "SignalWaitTimedOut"
        /// A cancel request was consumed.
        case cancelRequested = "CancelRequested"
        /// An operator's retry request was consumed.
        case retryRequested = "RetryRequested"
        /// A revert request was consumed.
        case revertRequested = "RevertRequested"
        /// The saga began unwinding.
        case sagaCompensating = "SagaCompensating"
        /// An attempt of a compensation began.
        case compensationStarted = "CompensationStarted"
        /// A compensation succeeded.
        case compensationCompleted = "CompensationCompleted"
        /// A compensation attempt failed.
        case compensationFailed = "CompensationFailed"
        /// Every step is done (COMPLETED).
        case sagaCompleted = "SagaCompleted"
        /// Unwound after a failure (COMPENSATED).
        case sagaCompensated = "SagaCompensated"
        /// Unwound after a cancel (CANCELLED).
        case sagaCancelled = "SagaCancelled"
        /// A compensation exhausted its retries (STUCK).
        case sagaStuck = "SagaStuck"
        /// Unwound after a revert (REVERTED).
        case sagaReverted = "SagaReverted"

        /// Whether this event ends a saga (COMPLETED, COMPENSATED, CANCELLED or REVERTED).
        public var isTerminal: Bool {
            switch self {
            case .sagaCompleted, .sagaCompensated, .sagaCancelled, .sagaReverted: true
            default: false
            }
        }
    }
}

extension HistoryEvent {
    /// Checks that `events` continue a history whose last seq is `seq`, one by one (every store enforces this).
    public static func checkSequence(_ events: [HistoryEvent], after seq: Int64) throws(HistoryStoreError) {
        for (offset, event) in events.enumerated() where event.seq != seq + Int64(offset) + 1 {
            throw .invalidRequest("event seq \(event.seq) does not follow \(seq + Int64(offset))")
        }
    }
}

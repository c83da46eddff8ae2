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
    public var type: String
    /// The step or compensation the event is about, if any.
    public var step: String?
    /// The attempt the event is about, if any.
    public var attempt: Int?
    /// When the event was decided (millisecond precision).
    public var at: Date
    /// The event's details.
    public var data: JSONValue?

    /// Creates an event from its raw fields.
    public init(seq: Int64, type: String, step: String? = nil, attempt: Int? = nil, at: Date, data: JSONValue? = nil) {
        self.seq = seq
        self.type = type
        self.step = step
        self.attempt = attempt
        self.at = at
        self.data = data
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

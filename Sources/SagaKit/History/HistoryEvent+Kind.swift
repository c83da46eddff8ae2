import Foundation

extension HistoryEvent {
    /// The typed view of an event: its type with the details that type carries.
    ///
    /// Convert with ``HistoryEvent/init(seq:at:kind:)`` and ``HistoryEvent/kind()``; the fold works on this view.
    public enum Kind: Sendable, Hashable {
        /// The saga began: its definition, version and input.
        case sagaStarted(definition: String, version: Int, input: JSONValue, trace: [String: String] = [:])
        /// The saga moved to a step.
        case stepScheduled(step: String, kind: SagaStepKind)
        /// An attempt of an action step began.
        case stepStarted(step: String, attempt: Int)
        /// A step finished with a result (actions, fired timers and finished waits alike).
        case stepCompleted(step: String, attempt: Int, result: JSONValue)
        /// An attempt failed; `nextAttemptAt` is set when it will be retried.
        case stepFailed(step: String, attempt: Int, error: StepError, nextAttemptAt: Date?)
        /// A step's condition was false.
        case stepSkipped(step: String, kind: SagaStepKind, reason: String)
        /// A durable timer began.
        case timerStarted(step: String, fireAt: Date)
        /// A durable timer fired.
        case timerFired(step: String)
        /// A signal wait began.
        case signalWaitStarted(step: String, signals: [String], deadline: Date?)
        /// An inbox signal was consumed; `applied` when the waiting step `step` accepted it.
        case signalReceived(SignalDelivery, step: String?, applied: Bool)
        /// A signal wait's deadline passed.
        case signalWaitTimedOut(step: String)
        /// A cancel signal was consumed; `applied` when it stopped forward progress.
        case cancelRequested(SignalDelivery, applied: Bool)
        /// An operator's retry signal was consumed; `applied` when it resumed a stuck saga.
        case retryRequested(SignalDelivery, applied: Bool)
        /// A revert signal was consumed; `applied` when it will unwind a completed saga.
        case revertRequested(SignalDelivery, applied: Bool)
        /// The saga began unwinding: why, and the compensations it will run, in order.
        case sagaCompensating(
            cause: CompensationCause, failedStep: String?, error: StepError?, plan: [PlannedCompensation])
        /// An attempt of a compensation began.
        case compensationStarted(compensation: String, forStep: String, attempt: Int)
        /// A compensation succeeded.
        case compensationCompleted(compensation: String, forStep: String, attempt: Int)
        /// A compensation attempt failed; `nextAttemptAt` is set when it will be retried.
        case compensationFailed(
            compensation: String, forStep: String, attempt: Int, error: StepError, nextAttemptAt: Date?)
        /// Every step is done.
        case sagaCompleted
        /// Unwound after a failure.
        case sagaCompensated
        /// Unwound after a cancel.
        case sagaCancelled
        /// A compensation exhausted its retries; the saga waits for an operator.
        case sagaStuck(compensation: String, error: StepError)
        /// Unwound after a revert.
        case sagaReverted

        /// The event type of this kind.
        public var type: EventType {
            switch self {
            case .sagaStarted: .sagaStarted
            case .stepScheduled: .stepScheduled
            case .stepStarted: .stepStarted
            case .stepCompleted: .stepCompleted
            case .stepFailed: .stepFailed
            case .stepSkipped: .stepSkipped
            case .timerStarted: .timerStarted
            case .timerFired: .timerFired
            case .signalWaitStarted: .signalWaitStarted
            case .signalReceived: .signalReceived
            case .signalWaitTimedOut: .signalWaitTimedOut
            case .cancelRequested: .cancelRequested
            case .retryRequested: .retryRequested
            case .revertRequested: .revertRequested
            case .sagaCompensating: .sagaCompensating
            case .compensationStarted: .compensationStarted
            case .compensationCompleted: .compensationCompleted
            case .compensationFailed: .compensationFailed
            case .sagaCompleted: .sagaCompleted
            case .sagaCompensated: .sagaCompensated
            case .sagaCancelled: .sagaCancelled
            case .sagaStuck: .sagaStuck
            case .sagaReverted: .sagaReverted
            }
        }

        /// The inbox signal this event consumed, if it consumed one.
        public var delivery: SignalDelivery? {
            switch self {
            case .signalReceived(let delivery, _, _), .cancelRequested(let delivery, _),
                .retryRequested(let delivery, _), .revertRequested(let delivery, _):
                delivery
            default:
                nil
            }
        }
    }
}

/// An inbox signal as a consuming event records it.
public struct SignalDelivery: Sendable, Hashable {
    /// The signal's id in the inbox.
    public let signalId: String
    /// The signal's name.
    public let name: String
    /// The signal's payload.
    public let payload: JSONValue
    /// The signal's position in the saga's inbox, from 0.
    public let inboxIndex: Int
    /// When the signal was sent (decides a race with a wait's deadline).
    public let sentAt: Date

    /// Creates a delivery.
    public init(signalId: String, name: String, payload: JSONValue, inboxIndex: Int, sentAt: Date) {
        self.signalId = signalId
        self.name = name
        self.payload = payload
        self.inboxIndex = inboxIndex
        self.sentAt = SagaTime.truncated(sentAt)
    }
}

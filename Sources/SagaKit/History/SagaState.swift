import Foundation

/// A saga's state: a pure fold over its history (same history → same state).
///
/// ```swift
/// let state = try SagaState.fold(record.events)
/// state.status          // .waiting
/// state.currentStepName // "AwaitApproval"
/// ```
public struct SagaState: Sendable, Hashable {
    /// The definition the saga runs.
    public internal(set) var definitionName = ""
    /// The definition version the saga runs.
    public internal(set) var definitionVersion = 0
    /// The saga's input.
    public internal(set) var input: JSONValue = .null
    /// The saga's trace context (W3C Trace Context headers kept with `SagaStarted`); empty when it was not traced.
    public internal(set) var trace: [String: String] = [:]
    /// Where the saga stands.
    public internal(set) var status: SagaStatus = .running
    /// The `seq` of the last applied event (0 before any).
    public internal(set) var lastSeq: Int64 = 0
    /// When the saga started.
    public internal(set) var startedAt: Date?
    /// When its last event was recorded.
    public internal(set) var updatedAt: Date?
    /// The latest time any of its events carries (clocks of different executors may disagree).
    public internal(set) var latestEventAt: Date?
    /// Forward steps, in the order the saga reached them (skipped ones included).
    public internal(set) var steps: [StepInfo] = []
    /// Compensations, in the order they started.
    public internal(set) var compensations: [StepInfo] = []
    /// Forward steps that completed, in order.
    public internal(set) var completedSteps: [String] = []
    /// The forward step in progress, if any.
    public internal(set) var current: CurrentStep?
    /// The compensation progress, once the saga unwinds.
    public internal(set) var compensation: CompensationProgress?
    /// How many inbox signals the history has consumed (inbox entries `0..<inboxConsumed`).
    public internal(set) var inboxConsumed = 0
    /// Whether an applied cancel request stops forward progress.
    public internal(set) var cancelRequested = false
    /// Whether an applied revert request will unwind the completed saga.
    public internal(set) var revertRequested = false

    /// The state before any event.
    public static let empty = SagaState()

    /// The step or compensation the saga is at, if any.
    public var currentStepName: String? {
        if let compensation, !compensation.isFinished, status == .compensating || status == .stuck {
            return compensation.plan[compensation.completed].compensation
        }
        return current?.name
    }

    /// The attempt number of the current step or compensation, if one has started.
    public var currentAttempt: Int? {
        if let compensation, !compensation.isFinished, compensation.attempt > 0 { return compensation.attempt }
        if let current, current.attempt > 0 { return current.attempt }
        return nil
    }

    /// When the saga next needs attention on its own: a retry, a timer or a wait deadline.
    public var pendingDeadline: Date? {
        if status == .compensating, case .retryPending(let at) = compensation?.phase { return at }
        switch current?.phase {
        case .retryPending(let at): return at
        case .timer(let fireAt): return fireAt
        case .waiting(_, let deadline): return deadline
        default: return nil
        }
    }

    /// The results of completed forward steps, by step name.
    public var results: [String: JSONValue] {
        var results: [String: JSONValue] = [:]
        for step in steps where step.status == .completed {
            results[step.name] = step.result ?? .null
        }
        return results
    }

    /// The forward step named `name`.
    public func step(named name: String) -> StepInfo? { steps.first { $0.name == name } }

    /// The compensation named `name`.
    public func compensation(named name: String) -> StepInfo? { compensations.first { $0.name == name } }

    /// The fencing token of an attempt started by the last event: it grows with every event of the saga, so with
    /// every attempt and every lease acquisition, and its high bits are the latest event time in milliseconds.
    ///
    /// `token = latestEventAt(ms) << 20 | lastSeq`: the time part never decreases along a history (it is a maximum),
    /// and `lastSeq` (below 2^20, see ``SagaEngine/Configuration/maxHistoryEvents``) makes each event's token
    /// larger than the one before; ``FencingToken/issuedAt`` compares tokens of different sagas by time.
    public var fencingToken: FencingToken {
        FencingToken(issuedAt: latestEventAt ?? Date(timeIntervalSince1970: 0), seq: lastSeq)
    }

    /// Whether an action or compensation attempt has started without a recorded outcome.
    public var hasAttemptInFlight: Bool {
        if case .running = current?.phase { return true }
        if status == .compensating, case .running = compensation?.phase { return true }
        return false
    }
}

/// The forward step a saga is at.
public struct CurrentStep: Sendable, Hashable {
    /// The step's name.
    public let name: String
    /// The step's kind.
    public let kind: SagaStepKind
    /// Attempts started so far.
    public internal(set) var attempt: Int
    /// The step's phase.
    public internal(set) var phase: Phase
    /// Its last failure, if any.
    public internal(set) var lastError: StepError?
    /// Attempts made before the latest operator retry of a STUCK step (they do not count against the policy).
    public internal(set) var budgetStart = 0

    /// The phases of a forward step.
    public enum Phase: Sendable, Hashable {
        /// Scheduled; nothing started yet.
        case scheduled
        /// Attempt `attempt` runs (started, no outcome recorded).
        case running(attempt: Int)
        /// The last attempt failed; the next is due then.
        case retryPending(nextAttemptAt: Date)
        /// Failed for good; the saga will compensate.
        case failed(StepError)
        /// A timer sleeps until `fireAt`.
        case timer(fireAt: Date)
        /// The timer fired; completion follows.
        case timerFired
        /// Waiting for one of `signals` until `deadline`.
        case waiting(signals: [String], deadline: Date?)
        /// The wait accepted a signal; its outcome follows.
        case signalAccepted(name: String, payload: JSONValue)
        /// The wait's deadline passed; its outcome follows.
        case waitTimedOut
    }
}

/// How far a saga's compensation has come.
public struct CompensationProgress: Sendable, Hashable {
    /// Why the saga unwinds.
    public let cause: CompensationCause
    /// The step whose failure started it (cause failure).
    public let failedStep: String?
    /// That step's error (cause failure).
    public let error: StepError?
    /// The compensations to run, in order.
    public let plan: [PlannedCompensation]
    /// How many plan entries completed.
    public internal(set) var completed = 0
    /// Attempts of the current entry so far.
    public internal(set) var attempt = 0
    /// Attempts of the current entry made before the latest operator retry (they do not count against the policy).
    public internal(set) var budgetStart = 0
    /// The current entry's phase.
    public internal(set) var phase: Phase = .ready

    /// The phases of the current compensation.
    public enum Phase: Sendable, Hashable {
        /// Nothing runs; the next attempt may start.
        case ready
        /// Attempt `attempt` runs.
        case running(attempt: Int)
        /// The last attempt failed; the next is due then.
        case retryPending(nextAttemptAt: Date)
        /// Retries are exhausted (the saga is or becomes STUCK).
        case exhausted(StepError)
    }

    /// Whether every plan entry completed.
    public var isFinished: Bool { completed >= plan.count }

    /// The plan entry being worked on.
    public var currentEntry: PlannedCompensation? { isFinished ? nil : plan[completed] }

    /// Attempts of the current entry that count against its retry policy.
    public var attemptsInBudget: Int { attempt - budgetStart }
}

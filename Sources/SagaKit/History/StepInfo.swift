import Foundation

/// What a saga's history says about one step or compensation.
public struct StepInfo: Codable, Sendable, Hashable {
    /// The step's (or compensation's) name.
    public let name: String
    /// What kind of element this is.
    public let kind: Kind
    /// For a compensation, the step it undoes.
    public let forStep: String?
    /// Where it stands.
    public internal(set) var status: StepStatus
    /// Attempts started so far.
    public internal(set) var attempts: Int
    /// The last failure, if any.
    public internal(set) var lastError: StepError?
    /// When the saga moved to it.
    public internal(set) var scheduledAt: Date?
    /// When its first attempt (or its timer or wait) began.
    public internal(set) var startedAt: Date?
    /// When it completed.
    public internal(set) var completedAt: Date?
    /// When it last failed.
    public internal(set) var failedAt: Date?
    /// Its recorded result.
    public internal(set) var result: JSONValue?
    /// When its next attempt is due, while it waits to retry.
    public internal(set) var nextAttemptAt: Date?
    /// A timer's fire time or a wait's deadline.
    public internal(set) var deadline: Date?

    /// The kind of element a ``StepInfo`` describes.
    public enum Kind: String, Codable, Sendable, Hashable {
        /// An action step.
        case action
        /// A durable timer.
        case timer
        /// A signal wait.
        case signalWait
        /// A compensation.
        case compensation
    }

    init(name: String, kind: Kind, forStep: String? = nil, status: StepStatus, at: Date) {
        self.name = name
        self.kind = kind
        self.forStep = forStep
        self.status = status
        self.attempts = 0
        self.scheduledAt = at
    }
}

/// Where one step or compensation stands.
public enum StepStatus: String, Codable, Sendable, Hashable {
    /// The saga moved to it; nothing ran yet.
    case scheduled = "SCHEDULED"
    /// An attempt is running.
    case running = "RUNNING"
    /// An attempt failed; another is due at `nextAttemptAt`.
    case retrying = "RETRYING"
    /// A timer or signal wait is pending.
    case waiting = "WAITING"
    /// Done.
    case completed = "COMPLETED"
    /// Failed for good (for a compensation: retries exhausted, the saga is STUCK).
    case failed = "FAILED"
    /// Its condition was false.
    case skipped = "SKIPPED"
    /// A cancel ended it before it finished.
    case cancelled = "CANCELLED"
}

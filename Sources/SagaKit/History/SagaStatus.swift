import Foundation

/// Where a saga stands.
///
/// Terminal: ``completed``, ``compensated``, ``cancelled``, ``reverted`` — although a COMPLETED saga still accepts
/// a revert request. ``stuck`` is not terminal: it waits for an operator's retry.
public enum SagaStatus: String, Codable, Sendable, Hashable, CaseIterable {
    /// Moving forward (a step runs, retries, or a timer sleeps).
    case running = "RUNNING"
    /// Parked on a signal wait.
    case waiting = "WAITING"
    /// Running compensations.
    case compensating = "COMPENSATING"
    /// Every step done.
    case completed = "COMPLETED"
    /// A step failed and every needed compensation ran.
    case compensated = "COMPENSATED"
    /// Cancelled and every needed compensation ran.
    case cancelled = "CANCELLED"
    /// A compensation exhausted its retries; waits for an operator's retry.
    case stuck = "STUCK"
    /// A completed saga was reverted: every compensation ran.
    case reverted = "REVERTED"

    /// Whether the saga has finished (no further event is expected, except a revert of a completed saga).
    public var isTerminal: Bool {
        switch self {
        case .completed, .compensated, .cancelled, .reverted: true
        case .running, .waiting, .compensating, .stuck: false
        }
    }
}

/// Why a saga runs its compensations.
public enum CompensationCause: String, Codable, Sendable, Hashable {
    /// A step failed definitively (non-retryable, or retries exhausted); ends COMPENSATED.
    case failure
    /// A cancel request; ends CANCELLED.
    case cancel
    /// A revert request on a completed saga; ends REVERTED.
    case revert

    /// The status the saga ends in when every compensation has run.
    public var finalStatus: SagaStatus {
        switch self {
        case .failure: .compensated
        case .cancel: .cancelled
        case .revert: .reverted
        }
    }
}

/// One compensation the saga decided to run, and the step it undoes.
public struct PlannedCompensation: Codable, Sendable, Hashable {
    /// The step being undone.
    public let step: String
    /// The compensation's name.
    public let compensation: String

    /// Creates an entry.
    public init(step: String, compensation: String) {
        self.step = step
        self.compensation = compensation
    }
}

import SagaKit

/// A saga's status in the order service's words (the engine's WAITING is AWAITING_APPROVAL, REVERTED is REFUNDED).
public enum OrderSagaStatus: String, Codable, Sendable, Hashable, CaseIterable {
    case running = "RUNNING"
    case awaitingApproval = "AWAITING_APPROVAL"
    case compensating = "COMPENSATING"
    case completed = "COMPLETED"
    case compensated = "COMPENSATED"
    case stuck = "STUCK"
    case cancelled = "CANCELLED"
    case refunded = "REFUNDED"

    /// The order word for an engine status.
    public init(_ status: SagaStatus) {
        switch status {
        case .running: self = .running
        case .waiting: self = .awaitingApproval
        case .compensating: self = .compensating
        case .completed: self = .completed
        case .compensated: self = .compensated
        case .stuck: self = .stuck
        case .cancelled: self = .cancelled
        case .reverted: self = .refunded
        }
    }

    /// The engine status this word stands for.
    public var engineStatus: SagaStatus {
        switch self {
        case .running: .running
        case .awaitingApproval: .waiting
        case .compensating: .compensating
        case .completed: .completed
        case .compensated: .compensated
        case .stuck: .stuck
        case .cancelled: .cancelled
        case .refunded: .reverted
        }
    }

    /// Whether nothing more happens on its own (COMPLETED, COMPENSATED, CANCELLED, REFUNDED).
    public var isTerminal: Bool { engineStatus.isTerminal }
}

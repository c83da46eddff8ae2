import Foundation

/// Why an event cannot be applied to a saga's state.
public enum SagaStateError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The event's `seq` is not the last one plus 1 (a gap or a duplicate).
    case outOfOrder(expected: Int64, found: Int64)
    /// The event's type is unknown or a field it needs is missing.
    case malformedEvent(seq: Int64, type: String, reason: String)
    /// The event is impossible in the saga's current state.
    case invalidTransition(seq: Int64, type: String, status: SagaStatus, reason: String)

    /// A one-line explanation.
    public var description: String {
        switch self {
        case .outOfOrder(let expected, let found):
            "event out of order: expected seq \(expected), found \(found)"
        case .malformedEvent(let seq, let type, let reason):
            "malformed event \(seq) (\(type)): \(reason)"
        case .invalidTransition(let seq, let type, let status, let reason):
            "event \(seq) (\(type)) is impossible while \(status.rawValue): \(reason)"
        }
    }
}

import Foundation

/// Why a history store refused or failed an operation.
public enum HistoryStoreError: Error, Sendable, CustomStringConvertible {
    /// A conditional append did not apply; the conflict says why and carries the current record.
    case conflict(AppendConflict)
    /// No saga has this id.
    case notFound(sagaId: String)
    /// The request itself is wrong (seq gap or duplicate in the events, a bad cursor…).
    case invalidRequest(String)
    /// The store could not be reached or failed; the operation may be retried.
    case unavailable(String)
    /// One of the business writes an append was to follow was refused, so the append was not made (see
    /// ``HistoryStore/append(_:after:)``); the refusal as the store's driver reported it.
    case outcomeWritesRefused(any Error)

    /// A one-line explanation.
    public var description: String {
        switch self {
        case .conflict(let conflict): "append conflict (\(conflict.reason.rawValue)) on saga \(conflict.current.id)"
        case .notFound(let sagaId): "saga \(sagaId) not found"
        case .invalidRequest(let reason): "invalid request: \(reason)"
        case .unavailable(let reason): "history store unavailable: \(reason)"
        case .outcomeWritesRefused(let error): "a business write the append was to follow was refused: \(error)"
        }
    }
}

/// Why a conditional append did not apply, with the saga as it is now.
public struct AppendConflict: Sendable, Hashable {
    /// The first failed condition, checked in this order: lease, seq, inbox.
    public let reason: Reason
    /// The saga as it is now.
    public let current: SagaRecord

    /// Creates a conflict.
    public init(reason: Reason, current: SagaRecord) {
        self.reason = reason
        self.current = current
    }

    /// Which condition failed.
    public enum Reason: String, Sendable, Hashable {
        /// Another executor holds the lease (or none does).
        case leaseNotHeld
        /// The saga's last seq is not the expected one: someone else appended.
        case staleSequence
        /// Only the inbox grew: a signal arrived; re-decide with it.
        case inboxChanged
    }
}

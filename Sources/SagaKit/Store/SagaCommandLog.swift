import Foundation

/// The commands sagas received (approvals, cancels, retries, refunds), as their inboxes recorded them, newest first.
public protocol SagaCommandLog: Sendable {
    /// Up to `limit` signals sent before `position` (all when `nil`), newest first (ties by signal id, descending).
    func commands(before position: SagaCommandPosition?, limit: Int) async throws -> [SagaCommandEntry]
}

/// A place in a command log: a time, and a tie-breaking id among entries of that time.
public struct SagaCommandPosition: Sendable, Hashable, Comparable {
    /// When.
    public var at: Date
    /// The entry's id.
    public var id: String

    /// Creates a position.
    public init(at: Date, id: String) {
        self.at = at
        self.id = id
    }

    public static func < (lhs: SagaCommandPosition, rhs: SagaCommandPosition) -> Bool {
        (lhs.at, lhs.id) < (rhs.at, rhs.id)
    }
}

/// One signal a saga received.
public struct SagaCommandEntry: Sendable, Hashable {
    /// The saga.
    public var sagaId: String
    /// The signal as its inbox holds it (its payload says who sent it and why, when the sender said).
    public var signal: SagaSignalRecord

    /// Creates an entry.
    public init(sagaId: String, signal: SagaSignalRecord) {
        self.sagaId = sagaId
        self.signal = signal
    }

    /// Where the entry sits in the log.
    public var position: SagaCommandPosition { SagaCommandPosition(at: signal.at, id: signal.id) }
}

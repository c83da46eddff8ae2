import Foundation

/// A place where a recorded history differs from what its definition decides.
public struct ReplayIssue: Sendable, Hashable, CustomStringConvertible {
    /// What kind of difference.
    public enum Kind: String, Sendable, Hashable {
        /// The history does not fold (seq gap, impossible event, malformed event).
        case invalidHistory
        /// The history was started on another definition or version, or its input does not fit.
        case definitionMismatch
        /// The history records a decision the definition would not take here.
        case unexpectedEvent
        /// The history names a step or compensation the definition does not have.
        case unknownStep
        /// A retry time lies outside what the retry policy (with its jitter) allows, or a retry decision is wrong.
        case retryOutOfPolicy
        /// The definition would have recorded a decision right after the last event, and the history has none.
        case missingDecision
        /// The history ends before the saga reached a terminal status.
        case notFinished
    }

    /// What kind of difference.
    public let kind: Kind
    /// The seq of the event where it shows, if any.
    public let seq: Int64?
    /// A human-readable explanation.
    public let message: String

    /// Creates an issue.
    public init(kind: Kind, seq: Int64?, message: String) {
        self.kind = kind
        self.seq = seq
        self.message = message
    }

    /// `kind at seq: message`.
    public var description: String {
        "\(kind.rawValue)\(seq.map { " at seq \($0)" } ?? ""): \(message)"
    }
}

/// An error from MongoDB or from the driver, classified so callers can react to its kind.
///
/// ```swift
/// do { try await orders.insertOne(order) }
/// catch let error as MongoError where error.kind == .duplicateKey { … }
/// ```
public struct MongoError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, coarsely: the cases callers branch on.
    public enum Kind: String, Sendable, Hashable {
        /// A unique index refused a write (server code 11000); `keyValue` names the key when the server says.
        case duplicateKey
        /// A write conflicted with a concurrent write, typically inside a transaction (server code 112).
        case writeConflict
        /// The connection failed or broke.
        case network
        /// An operation or socket timed out (including `maxTimeMS`).
        case timeout
        /// No suitable server was found within the server-selection timeout.
        case serverSelection
        /// The server answered a command with an error (`code` and `codeName` say which).
        case command
        /// A write concern could not be satisfied.
        case writeConcern
        /// The client's arguments were invalid (a bad URI, a malformed option).
        case invalidArgument
        /// The client was shut down, or the operation was cancelled before it ran.
        case shutdown
        /// A document could not be encoded or decoded.
        case bson
        /// Authentication failed.
        case authentication
        /// Any other driver error.
        case driver
    }

    /// The classification of this error.
    public var kind: Kind
    /// The server's error code, or the driver's when the server gave none.
    public var code: Int
    /// The server's code name (such as `DuplicateKey`), when it gave one.
    public var codeName: String?
    /// A human-readable explanation.
    public var message: String
    /// The server's error labels, such as `TransientTransactionError`.
    public var labels: [String]
    /// For a duplicate key, the offending key and value, when the server reported them.
    public var keyValue: Document?
    /// The underlying BSON error, for `.bson`.
    public var bsonError: BSONError?

    /// Creates an error of the given kind.
    public init(
        _ kind: Kind, code: Int = 0, codeName: String? = nil, message: String,
        labels: [String] = [], keyValue: Document? = nil, bsonError: BSONError? = nil
    ) {
        self.kind = kind
        self.code = code
        self.codeName = codeName
        self.message = message
        self.labels = labels
        self.keyValue = keyValue
        self.bsonError = bsonError
    }

    /// Whether the server attached this error label.
    public func hasLabel(_ label: String) -> Bool { labels.contains(label) }

    /// Whether retrying the whole transaction may succeed (`TransientTransactionError`).
    public var isTransientTransactionError: Bool { hasLabel("TransientTransactionError") }

    /// Whether the commit may or may not have applied (`UnknownTransactionCommitResult`).
    public var isUnknownCommitResult: Bool { hasLabel("UnknownTransactionCommitResult") }

    /// Whether the operation may succeed if simply tried again later (network, timeout, server selection, conflicts).
    public var isTransient: Bool {
        switch kind {
        case .network, .timeout, .serverSelection, .writeConflict: return true
        case .command: return isTransientTransactionError || Self.retryableServerCodes.contains(code)
        default: return isTransientTransactionError
        }
    }

    /// Whether a change stream cannot go on from where it is (`InvalidResumeToken`, `ChangeStreamFatalError`,
    /// `ChangeStreamHistoryLost`): its consumer must start again from somewhere else.
    public var losesChangeStreamPosition: Bool { Self.lostPositionCodes.contains(code) }

    /// Whether opening a change stream after a resume token failed for good: the server refused the token (malformed,
    /// or older than its history) rather than being briefly unavailable.
    public var refusesResumeToken: Bool { kind == .command && !isTransient }

    /// Server codes of a change stream that cannot continue where it was.
    static let lostPositionCodes: Set<Int> = [260, 280, 286]

    /// Server codes that mean "not now" rather than "never" (primary stepping down, shutting down, …).
    static let retryableServerCodes: Set<Int> = [6, 7, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436]

    public var description: String {
        var text = "MongoError.\(kind.rawValue)"
        if code != 0 { text += " (\(codeName.map { "\($0) " } ?? "")\(code))" }
        text += ": \(message)"
        if let keyValue { text += " key: \(keyValue)" }
        if !labels.isEmpty { text += " labels: \(labels.joined(separator: ","))" }
        return text
    }
}

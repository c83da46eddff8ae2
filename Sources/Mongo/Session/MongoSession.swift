import CMongoc
import Synchronization

/// A logical session on one pooled connection: the scope of a multi-document transaction.
///
/// Prefer `MongoClient.withTransaction`, which starts, retries and commits for you. A session is
/// used by one task at a time; its operations are serialised on its connection.
public final class MongoSession: Sendable {
    let client: LeasedClient
    let handle: UnsafeSendablePointer
    private let ended = Atomic(false)

    init(client: LeasedClient, handle: UnsafeSendablePointer) {
        self.client = client
        self.handle = handle
    }

    /// Runs `body` on a pool thread with the session's client and session handles.
    func withHandles<T: Sendable>(
        _ body: @escaping @Sendable (_ client: OpaquePointer, _ session: OpaquePointer?) throws -> T
    ) async throws -> T {
        let handle = self.handle
        return try await client.withClient { client in try body(client, handle.pointer) }
    }

    /// Starts a transaction; the session's operations belong to it until commit or abort.
    public func startTransaction(
        readConcern: ReadConcern? = .snapshot, writeConcern: WriteConcern? = .majority
    ) async throws {
        try await withHandles { _, session in
            guard let session else { return }
            let options = mongoc_transaction_opts_new()
            defer { mongoc_transaction_opts_destroy(options) }
            if let readConcern {
                let concern = mongoc_read_concern_new()
                defer { mongoc_read_concern_destroy(concern) }
                mongoc_read_concern_set_level(concern, readConcern.level)
                mongoc_transaction_opts_set_read_concern(options, concern)
            }
            if let writeConcern {
                let concern = mongoc_write_concern_new()
                defer { mongoc_write_concern_destroy(concern) }
                switch writeConcern.acknowledgement {
                case .majority:
                    mongoc_write_concern_set_wmajority(concern, Int32(writeConcern.timeout?.clampedMilliseconds ?? 0))
                case .members(let count):
                    mongoc_write_concern_set_w(concern, Int32(clamping: count))
                }
                if let journal = writeConcern.journal { mongoc_write_concern_set_journal(concern, journal) }
                mongoc_transaction_opts_set_write_concern(options, concern)
            }
            var error = bson_error_t()
            guard mongoc_client_session_start_transaction(session, options, &error) else {
                throw MongoError(driverError: error)
            }
        }
    }

    /// Commits the open transaction; errors carry `UnknownTransactionCommitResult` when the outcome is unknown.
    public func commitTransaction() async throws {
        _ = try await withHandles { _, session in
            try DriverCall.withReply { reply, error in
                mongoc_client_session_commit_transaction(session, reply, error)
            }
        }
    }

    /// Aborts the open transaction, discarding its writes.
    public func abortTransaction() async throws {
        try await withHandles { _, session in
            var error = bson_error_t()
            guard mongoc_client_session_abort_transaction(session, &error) else {
                throw MongoError(driverError: error)
            }
        }
    }

    /// Whether a transaction is open.
    public var inTransaction: Bool {
        get async throws {
            try await withHandles { _, session in session.map { mongoc_client_session_in_transaction($0) } ?? false }
        }
    }

    /// Ends the session (aborting an open transaction) and gives its connection back; safe to call twice.
    public func end() {
        guard ended.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
        else { return }
        let handle = self.handle
        client.release { _ in mongoc_client_session_destroy(handle.pointer) }
    }

    deinit {
        end()
    }
}

extension MongoClient {
    /// Starts a session on a connection of its own; end it with `end()` (or let it go).
    public func startSession(causalConsistency: Bool = true) async throws -> MongoSession {
        let (lease, handle) = try await pool.lease(lane: .session) { client in
            let options = mongoc_session_opts_new()
            defer { mongoc_session_opts_destroy(options) }
            mongoc_session_opts_set_causal_consistency(options, causalConsistency)
            var error = bson_error_t()
            guard let session = mongoc_client_start_session(client, options, &error) else {
                throw MongoError(driverError: error)
            }
            return UnsafeSendablePointer(session)
        }
        return MongoSession(client: lease, handle: handle)
    }

    /// Runs `body` with a new session and ends the session afterwards.
    public func withSession<T: Sendable>(_ body: (MongoSession) async throws -> T) async throws -> T {
        let session = try await startSession()
        defer { session.end() }
        return try await body(session)
    }
}

import CMongoc
import Synchronization

/// A pooled client checked out for longer than one call: by a cursor, a session or a change stream.
///
/// A `mongoc_client_t` must not be used by two threads at once; every use goes through `withClient`,
/// which holds a lock for the duration of the blocking call, so calls are serialised even if the
/// owner is shared between tasks. That lock is why this class can be `Sendable`.
final class LeasedClient: @unchecked Sendable {
    private let client: OpaquePointer
    private let pool: ClientPool
    private let lock = Mutex(false)  // true once released
    /// The threads its calls run on: a session's own, or the shared pool.
    let lane: BlockingRuntime.Lane

    init(client: OpaquePointer, pool: ClientPool, lane: BlockingRuntime.Lane) {
        self.client = client
        self.pool = pool
        self.lane = lane
    }

    var runtime: BlockingRuntime { pool.runtime }

    /// Runs `body` on a pool thread with exclusive use of this client.
    ///
    /// Not refused once shutdown has begun: shutdown waits for leased clients to come back, so their
    /// owners (a cursor being read to its end, a session committing) may finish what they started.
    func withClient<T: Sendable>(_ body: @escaping @Sendable (OpaquePointer) throws -> T) async throws -> T {
        try await pool.runtime.onPoolThread(lane: lane) { [self] in try withLockedClient(body) }
    }

    /// Runs `body` with exclusive use of the client, on the current (pool) thread.
    func withLockedClient<T>(_ body: (OpaquePointer) throws -> T) throws -> T {
        try lock.withLock { released in
            guard !released else {
                throw MongoError(.driver, message: "the client was already returned to the pool")
            }
            return try body(client)
        }
    }

    /// Runs `cleanup` with the client (for destroying what was made with it), then returns the client to the pool.
    /// Safe to call more than once; only the first call does anything. Runs even after shutdown began.
    func release(cleanup: @escaping @Sendable (OpaquePointer) -> Void = { _ in }) {
        pool.runtime.runDetached(lane: lane) { [self] in
            let first = lock.withLock { released -> Bool in
                guard !released else { return false }
                cleanup(client)
                released = true
                return true
            }
            if first { pool.giveBack(client, lane: lane) }
        }
    }
}

extension LeasedClient {
    /// Runs `body` with the client on a pool thread without waiting, unless the client was already returned.
    func runDetachedWithClient(_ body: @escaping @Sendable (OpaquePointer) -> Void) {
        runtime.runDetached(lane: lane) { [self] in
            try? withLockedClient(body)
        }
    }
}

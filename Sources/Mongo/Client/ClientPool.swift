import CMongoc
import Synchronization

/// libmongoc's client pool, with a permit per client so that popping never waits on a pool thread.
///
/// `mongoc_client_pool_t` is documented as thread-safe; the pointer itself never changes, and it is
/// destroyed only after the runtime has drained, which is why this wrapper can be `Sendable`.
final class ClientPool: @unchecked Sendable {
    private let pointer: OpaquePointer
    let runtime: BlockingRuntime
    /// One per connection for operations, cursors and change streams.
    private let permits: AsyncSemaphore
    /// One per session thread (and connection): a session opens only when its thread is sure to be free.
    private let sessionPermits: AsyncSemaphore
    private let outstandingLeases = Mutex(0)

    /// Wraps a libmongoc pool of `size + sessions` clients.
    init(pointer: OpaquePointer, runtime: BlockingRuntime, size: Int, sessions: Int) {
        self.pointer = pointer
        self.runtime = runtime
        self.permits = AsyncSemaphore(value: size)
        self.sessionPermits = AsyncSemaphore(value: sessions)
    }

    /// Runs `body` on a pool thread with a client popped for it and pushed back after.
    func withClient<T: Sendable>(_ body: @escaping @Sendable (OpaquePointer) throws -> T) async throws -> T {
        try await runtime.operation {
            try await permits.acquire()
            defer { permits.release() }
            return try await runtime.onPoolThread { [self] in
                let client = try pop()
                defer { mongoc_client_pool_push(pointer, client) }
                return try body(client)
            }
        }
    }

    /// Checks out a client for a cursor, session or change stream; give it back with `LeasedClient.release()`.
    ///
    /// A `.session` lease takes a session permit instead of a general one, and its calls run on the session threads.
    func lease(lane: BlockingRuntime.Lane = .general) async throws -> LeasedClient {
        try runtime.enter()
        defer { runtime.leave() }
        let permits = self.permits(for: lane)
        try await permits.acquire()
        do {
            let raw = try await runtime.onPoolThread(lane: lane) { [self] in UnsafeSendablePointer(try pop()) }
            outstandingLeases.withLock { $0 += 1 }
            return LeasedClient(client: raw.pointer, pool: self, lane: lane)
        } catch {
            permits.release()
            throw error
        }
    }

    private func permits(for lane: BlockingRuntime.Lane) -> AsyncSemaphore {
        lane == .session ? sessionPermits : permits
    }

    /// Pops a client without waiting: the permit its caller holds guarantees one is free.
    private func pop() throws -> OpaquePointer {
        guard let client = mongoc_client_pool_try_pop(pointer) else {
            throw MongoError(.driver, message: "no pooled client available although a permit was held")
        }
        return client
    }

    /// Takes a leased client back (called by `LeasedClient` once, from a pool thread).
    func giveBack(_ client: OpaquePointer, lane: BlockingRuntime.Lane) {
        mongoc_client_pool_push(pointer, client)
        outstandingLeases.withLock { $0 -= 1 }
        permits(for: lane).release()
    }

    /// Clients currently checked out by cursors, sessions and change streams.
    var leasedCount: Int { outstandingLeases.withLock { $0 } }

    /// Destroys the pool, once the runtime has drained and every client is back.
    func destroyAfterDrain() async {
        let pointer = UnsafeSendablePointer(pointer)
        _ = try? await runtime.threadPool.runIfActive { [runtime] in
            runtime.diagnostics.recordBlockingCall()
            mongoc_client_pool_destroy(pointer.pointer)
        }
    }
}

/// A pointer carried across the thread-pool boundary by value.
///
/// Only used to hand a just-popped client from the pool thread to its new owner, which
/// then guards every use of it.
struct UnsafeSendablePointer: @unchecked Sendable {
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
}

extension ClientPool {
    /// Checks out a client and runs `body` with it, returning the lease and the result; releases it if `body` throws.
    func lease<R: Sendable>(
        lane: BlockingRuntime.Lane = .general, then body: @escaping @Sendable (OpaquePointer) throws -> R
    ) async throws -> (LeasedClient, R) {
        let lease = try await lease(lane: lane)
        do {
            return (lease, try await lease.withClient(body))
        } catch {
            lease.release()
            throw error
        }
    }
}

import CMongoc
import NIOPosix
import Synchronization

/// Runs libmongoc's blocking calls on a bounded thread pool and tracks them for a clean shutdown.
///
/// Every call into libmongoc in this module goes through `run(_:)` (or `runDetached(_:)` for
/// clean-up from `deinit`), so none can land on a SwiftNIO event loop or a Swift concurrency
/// thread. `shutdown()` refuses new work and waits for the work in flight.
final class BlockingRuntime: Sendable {
    private struct Lifecycle {
        var isClosed = false
        var inFlight = 0
        var drainWaiters: [CheckedContinuation<Void, Never>] = []
    }

    /// Which threads a blocking call runs on.
    enum Lane: Sendable {
        /// The shared pool, for single operations, cursors and change streams.
        case general
        /// Threads reserved for sessions (transactions): one per session that may be open at once.
        case session
    }

    let threadPool: NIOThreadPool
    /// Threads only sessions use. A write outside a transaction may block on a lock that a transaction holds
    /// until that transaction ends; if such writes filled every shared thread, the transaction's next statement
    /// (its commit included) would wait for a thread forever. Sessions never wait for a shared thread, and at
    /// most as many are open as there are session threads, so a transaction always has a thread to finish on.
    let sessionThreadPool: NIOThreadPool
    let diagnostics = MongoDiagnostics()
    private let lifecycle = Mutex(Lifecycle())

    /// Starts a shared pool of `threads` threads and a pool of `sessionThreads` threads for sessions.
    init(threads: Int, sessionThreads: Int) {
        threadPool = NIOThreadPool(numberOfThreads: threads)
        threadPool.start()
        sessionThreadPool = NIOThreadPool(numberOfThreads: sessionThreads)
        sessionThreadPool.start()
    }

    /// Whether the current thread is a thread-pool thread (NIO names them `TP-#n`).
    static var isOnPoolThread: Bool {
        var buffer = [CChar](repeating: 0, count: 64)
        guard cmongoc_current_thread_name(&buffer, buffer.count) == 0 else { return false }
        let name = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: name, as: UTF8.self).hasPrefix("TP-")
    }

    /// Runs `body` on a pool thread as one tracked operation; throws `.shutdown` once the runtime is closed.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await operation { try await self.onPoolThread(body) }
    }

    /// Runs `body` (which may wait for a connection and hop to the pool) as one operation that shutdown waits for.
    func operation<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        try enter()
        defer { leave() }
        return try await body()
    }

    /// Runs `body` on a thread of `lane`, mapping thread-pool and BSON errors to `MongoError`; not tracked by itself.
    func onPoolThread<T: Sendable>(lane: Lane = .general, _ body: @escaping @Sendable () throws -> T) async throws -> T
    {
        let pool = lane == .session ? sessionThreadPool : threadPool
        do {
            return try await pool.runIfActive { [diagnostics] in
                diagnostics.recordBlockingCall()
                return try body()
            }
        } catch is CancellationError {
            throw CancellationError()
        } catch let error as MongoError {
            throw error
        } catch let error as BSONError {
            throw MongoError(.bson, message: "\(error)", bsonError: error)
        } catch is NIOThreadPoolError.ThreadPoolInactive {
            throw MongoError(.shutdown, message: "the MongoDB client is shut down")
        }
    }

    /// Runs `body` on a pool thread without waiting for it (for releasing resources from `deinit`).
    ///
    /// After the threads have stopped the work is dropped: the resources it would free belong to a
    /// pool that no longer exists, and touching them from another thread would be worse than leaking.
    func runDetached(lane: Lane = .general, _ body: @escaping @Sendable () -> Void) {
        (lane == .session ? sessionThreadPool : threadPool).submit { [diagnostics] state in
            guard case .active = state else { return }
            diagnostics.recordBlockingCall()
            body()
        }
    }

    /// Marks one operation as started; throws if the runtime is closed.
    func enter() throws {
        let accepted = lifecycle.withLock { state -> Bool in
            guard !state.isClosed else { return false }
            state.inFlight += 1
            return true
        }
        guard accepted else { throw MongoError(.shutdown, message: "the MongoDB client is shut down") }
        diagnostics.operationStarted()
    }

    /// Marks one operation as finished, waking a pending shutdown when it was the last.
    func leave() {
        diagnostics.operationFinished()
        let waiters = lifecycle.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.inFlight -= 1
            guard state.isClosed, state.inFlight == 0 else { return [] }
            defer { state.drainWaiters = [] }
            return state.drainWaiters
        }
        waiters.forEach { $0.resume() }
    }

    /// Whether `shutdown()` has begun.
    var isClosed: Bool { lifecycle.withLock { $0.isClosed } }

    /// Refuses new operations and waits until those in flight have finished.
    func closeAndDrain() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = lifecycle.withLock { state -> Bool in
                state.isClosed = true
                if state.inFlight == 0 { return true }
                state.drainWaiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    /// Stops both thread pools after their last jobs.
    func stopThreads() async {
        try? await threadPool.shutdownGracefully()
        try? await sessionThreadPool.shutdownGracefully()
    }
}

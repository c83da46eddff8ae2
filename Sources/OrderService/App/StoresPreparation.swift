import Foundation
import Logging
import Orders
import SagaKitMongo
import ServiceLifecycle
import Synchronization

/// Whether both stores have their indexes yet; the API and the engine wait for it.
///
/// The server listens from the start (liveness does not depend on the database), but `/v1` answers 503 until
/// the stores are prepared — before that, the unique index that makes `Idempotency-Key` safe might not exist.
final class StoresPreparation: Sendable {
    private struct State {
        var isPrepared = false
        var waiters: [UUID: CheckedContinuation<Void, any Error>] = [:]
    }

    private let state = Mutex(State())

    /// Whether the stores are prepared.
    var isPrepared: Bool { state.withLock { $0.isPrepared } }

    /// Marks the stores prepared and wakes everyone waiting.
    func markPrepared() {
        let waiters = state.withLock { state in
            state.isPrepared = true
            defer { state.waiters = [:] }
            return state.waiters.values
        }
        waiters.forEach { $0.resume() }
    }

    /// Waits until the stores are prepared; throws `CancellationError` when the waiting task is cancelled
    /// first (a shutdown while the database is still unreachable).
    func waitUntilPrepared() async throws {
        let id = UUID()
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let outcome = state.withLock { state -> Result<Void, any Error>? in
                    if state.isPrepared { return .success(()) }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    state.waiters[id] = continuation
                    return nil
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume(throwing: CancellationError())
        }
    }
}

/// Creates both stores' indexes, retrying while a store is unreachable, then marks them prepared.
struct StoresPreparationService: Service {
    let history: MongoHistoryStore
    let orders: OrderSystem
    let preparation: StoresPreparation
    let logger: Logger

    func run() async throws {
        try await runUntilGracefulShutdown {
            var delay = Duration.milliseconds(250)
            while true {
                do {
                    try await history.prepare()
                    try await orders.prepare()
                    break
                } catch {
                    logger.warning(
                        "stores not ready yet; retrying", metadata: ["error": "\(error)", "retryIn": "\(delay)"])
                    try await Task.sleep(for: delay)
                    delay = min(delay * 2, .seconds(5))
                }
            }
            preparation.markPrepared()
            logger.info("stores prepared")
            try await gracefulShutdown()
        }
    }
}

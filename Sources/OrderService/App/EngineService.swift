import Logging
import Orders
import SagaKit
import ServiceLifecycle

/// Runs the saga engine for the service's lifetime; on graceful shutdown it lets attempts in flight finish
/// and releases its leases, so another instance picks the sagas up at once.
///
/// It returns only once the engine has stopped, so the services registered before it (the clients the engine
/// writes through) are shut down after it. A shutdown while the stores are still unprepared ends it at once.
struct EngineService: Service {
    let engine: SagaEngine
    let preparation: StoresPreparation

    func run() async throws {
        guard try await runUntilGracefulShutdown({ try await preparation.waitUntilPrepared() }) else {
            await engine.shutdown()
            return
        }
        do {
            try await withGracefulShutdownHandler {
                try await engine.run()
            } onGracefulShutdown: {
                Task { await engine.shutdown() }
            }
        } catch SagaEngineError.shuttingDown {
            // The shutdown began before the engine started: nothing ran.
        }
        await engine.shutdown()
    }
}

/// Runs a piece of upkeep every `interval` until a graceful shutdown: starting the sagas of orders whose
/// placement a crash cut short, pruning settled stock markers. A failed round is logged and tried again later.
struct PeriodicService: Service {
    /// What the upkeep does, for the log.
    let purpose: String
    let interval: Duration
    let logger: Logger
    let work: @Sendable () async throws -> Void

    func run() async throws {
        try await runUntilGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await work()
                } catch is CancellationError {
                    return
                } catch {
                    logger.warning("could not \(purpose)", metadata: ["error": "\(error)"])
                }
                try await Task.sleep(for: interval)
            }
        }
    }
}

/// Holds the service's clients open until everything else has stopped, then closes them.
struct ResourcesService: Service {
    let close: @Sendable () async -> Void

    func run() async throws {
        try? await gracefulShutdown()
        await close()
    }
}

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

/// Every so often, starts the sagas of orders whose placement a crash cut short (order stored, saga not).
struct PlacementRecoveryService: Service {
    let orders: OrderSystem
    let grace: Duration
    let interval: Duration
    let logger: Logger

    func run() async throws {
        try await runUntilGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await orders.resumeInterruptedPlacements(grace: grace)
                } catch is CancellationError {
                    return
                } catch {
                    logger.warning("could not look for interrupted placements", metadata: ["error": "\(error)"])
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

import Orders
import ServiceLifecycle

/// Runs the order intake (`INTAKE_COLLECTION`) once the stores are prepared, until a graceful shutdown: the batch
/// in hand is finished or left unacknowledged (its token unsaved), never half-marked.
///
/// Registered after the engine, it stops before the engine and the clients it places orders through.
struct IntakeService: Service {
    let intake: OrderIntake
    let preparation: StoresPreparation

    func run() async throws {
        try await runUntilGracefulShutdown {
            try await preparation.waitUntilPrepared()
            try await intake.run()
        }
    }
}

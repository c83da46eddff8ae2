import ServiceLifecycle

/// Runs `operation` until it ends or a graceful shutdown cancels it; `false` when the shutdown came first.
///
/// Being cancelled by a graceful shutdown is a clean end for the services that wait or loop until then.
@discardableResult
func runUntilGracefulShutdown(_ operation: @escaping @Sendable () async throws -> Void) async throws -> Bool {
    do {
        try await cancelWhenGracefulShutdown(operation)
        return true
    } catch is CancellationError {
        return false
    }
}

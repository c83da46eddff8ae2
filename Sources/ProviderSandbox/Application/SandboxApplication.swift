import Foundation
import Hummingbird
import Logging

/// Builds a provider sandbox application, ready to run.
///
/// The journal in `configuration.dataDirectory` (if any) is replayed before this returns, so the
/// ledgers and stored answers of earlier runs are there from the first request on.
///
/// To run a sandbox inside a test on a free port and learn the port, prefer
/// ``withRunningSandbox(configuration:logger:_:)``. By hand:
///
/// ```swift
/// let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
/// let app = try await buildSandboxApplication(
///     configuration: SandboxConfiguration(port: 0, slowDelay: .milliseconds(300)),
///     onServerRunning: { port in portContinuation.yield(port) })
/// let server = Task { try await app.run() }          // or add `app` to a ServiceGroup
/// let port = await ports.first { _ in true }!         // the sandbox is now at http://127.0.0.1:\(port)
/// server.cancel()
/// ```
///
/// - Parameters:
///   - configuration: where to listen, where the journal lives, which faults to inject.
///   - logger: the logger to use; by default one labelled `provider-sandbox` whose level comes from
///     `LOG_LEVEL` (default `info`).
///   - onServerRunning: called once the server listens, with the bound port (useful with port 0).
/// - Returns: a Hummingbird application; `run()` serves until cancelled, `runService()` until SIGTERM/SIGINT.
/// - Throws: a journal error when the data directory cannot be opened or its journal is unreadable.
public func buildSandboxApplication(
    configuration: SandboxConfiguration,
    logger: Logger? = nil,
    onServerRunning: @escaping @Sendable (_ port: Int) async -> Void = { _ in }
) async throws -> some ApplicationProtocol {
    let logger = logger ?? defaultSandboxLogger()
    let store = try SandboxStore(
        dataDirectory: configuration.dataDirectory, slowAnswerDelay: configuration.slowDelay)
    let controller = SandboxController(
        store: store,
        faults: FaultInjector(
            failureRate: configuration.failureRate, latency: configuration.latency, seed: configuration.seed),
        statistics: SandboxStatistics(),
        logger: logger)
    let router = Router(context: BasicRequestContext.self)
    controller.addRoutes(to: router)
    let configuredPort = configuration.port
    return Application(
        router: router,
        configuration: ApplicationConfiguration(
            address: .hostname(configuration.host, port: configuration.port),
            serverName: "provider-sandbox"),
        onServerRunning: { channel in
            await onServerRunning(channel.localAddress?.port ?? configuredPort)
        },
        logger: logger)
}

/// Builds a sandbox and serves until SIGTERM or SIGINT, then shuts down gracefully.
///
/// - Parameters:
///   - configuration: where to listen, where the journal lives, which faults to inject.
///   - logger: the logger to use; by default one labelled `provider-sandbox` (level from `LOG_LEVEL`).
///   - onServerRunning: called once the server listens, with the bound port.
public func runSandbox(
    configuration: SandboxConfiguration,
    logger: Logger? = nil,
    onServerRunning: @escaping @Sendable (_ port: Int) async -> Void = { _ in }
) async throws {
    let app = try await buildSandboxApplication(
        configuration: configuration, logger: logger, onServerRunning: onServerRunning)
    try await app.runService()
}

/// A logger labelled `provider-sandbox` whose level comes from `LOG_LEVEL` (default `info`).
func defaultSandboxLogger() -> Logger {
    var logger = Logger(label: "provider-sandbox")
    logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
    return logger
}

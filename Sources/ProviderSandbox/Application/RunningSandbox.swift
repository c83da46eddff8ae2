import Logging
import ServiceLifecycle

/// Where a sandbox started by ``withRunningSandbox(configuration:logger:_:)`` listens.
public struct RunningSandbox: Sendable, Equatable {
    /// The interface it listens on.
    public let host: String
    /// The bound port (the real one when the configuration asked for port 0).
    public let port: Int

    /// The base URL of every endpoint, e.g. `http://127.0.0.1:54321`.
    public var baseURL: String { "http://\(host):\(port)" }
}

/// The sandbox stopped before it started listening.
public struct SandboxStartupError: Error, Sendable, CustomStringConvertible {
    /// What happened.
    public let description: String
}

/// Runs a sandbox for the duration of `body`, then stops it.
///
/// Meant for integration tests of the order service, which run the sandbox in-process on a free port:
///
/// ```swift
/// try await withRunningSandbox(configuration: SandboxConfiguration(port: 0)) { sandbox in
///     let paymentsURL = sandbox.baseURL       // e.g. http://127.0.0.1:54321
///     // ... start the service against it and exercise it ...
/// }
/// ```
///
/// - Parameters:
///   - configuration: the sandbox's configuration; use port 0 for a free port.
///   - logger: the logger to use; by default one labelled `provider-sandbox`.
///   - body: runs once the sandbox listens, with its address.
/// - Returns: what `body` returns.
/// - Throws: what building or starting the sandbox throws (e.g. the port is taken), or what `body` throws.
public func withRunningSandbox<Result: Sendable>(
    configuration: SandboxConfiguration,
    logger: Logger? = nil,
    _ body: @Sendable (RunningSandbox) async throws -> Result
) async throws -> Result {
    let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
    let logger = logger ?? defaultSandboxLogger()
    let app = try await buildSandboxApplication(
        configuration: configuration, logger: logger, onServerRunning: { port in portContinuation.yield(port) })
    // ServiceLifecycle comes with Hummingbird (an application is a `Service`); a service group lets
    // the sandbox shut down gracefully, finishing requests in flight, when `body` is done.
    let serviceGroup = ServiceGroup(configuration: .init(services: [app], logger: logger))
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask {
            defer { portContinuation.finish() }
            try await serviceGroup.run()
        }
        guard let port = await ports.first(where: { _ in true }) else {
            try await group.next()
            throw SandboxStartupError(description: "the sandbox stopped before it started listening")
        }
        do {
            let result = try await body(RunningSandbox(host: configuration.host, port: port))
            await serviceGroup.triggerGracefulShutdown()
            try await group.waitForAll()
            return result
        } catch {
            await serviceGroup.triggerGracefulShutdown()
            throw error
        }
    }
}

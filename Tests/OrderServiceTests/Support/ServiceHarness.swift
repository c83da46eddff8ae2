import AsyncHTTPClient
import Foundation
import Logging
import Mongo
import MongoTesting
import NIOCore
import NIOHTTP1
import Orders
import ProviderSandbox
import ServiceLifecycle
import Testing

@testable import OrderService

/// A running order service, with its own provider sandbox and databases, reached over real HTTP on loopback.
///
/// ```swift
/// try await ServiceHarness.run { service in
///     let placed = try await service.placeOrder(sku: "SKU-1", quantity: 1)
///     let saga = try await service.waitForTerminal(placed.orderId)
/// }
/// ```
struct ServiceHarness: Sendable {
    static let operatorKey = "test-operator-key"
    static let customerKey = "test-customer-key"
    static let boundKey = "test-bound-c42-key"
    static let viewerKey = "test-viewer-key"

    let baseURL: String
    let sandboxURL: String
    let database: MongoDatabase
    let historyDatabase: MongoDatabase
    let http: HTTPClient

    /// Settings for fast tests: short retry intervals; `tok_slow` answers in 1.2 s against an 800 ms charge timeout.
    static func testConfiguration(
        sandbox: RunningSandbox, environment extra: [String: String]
    ) throws -> ServiceConfiguration {
        var environment: [String: String] = [
            "PORT": "0", "HOST": "127.0.0.1",
            "MONGODB_URI": try TestDeployment.uri(),
            "MONGODB_DATABASE": TestDeployment.uniqueName("orders"),
            "HISTORY_DATABASE": TestDeployment.uniqueName("history"),
            "PAYMENTS_URL": sandbox.baseURL, "SHIPPING_URL": sandbox.baseURL, "NOTIFY_URL": sandbox.baseURL,
            "API_KEYS": "\(operatorKey):operator,\(customerKey):customer,\(boundKey):customer:c-42,\(viewerKey):viewer",
            // Below the sandbox's 1.2 s tok_slow delay, and far enough above an ordinary charge that a machine loaded by
            // the whole suite does not time every attempt out.
            "STEP_TIMEOUT_ChargePayment": "800ms",
            "POLL_INTERVAL": "100ms", "LOG_LEVEL": "warning",
        ]
        environment.merge(extra) { $1 }
        var configuration = try ServiceConfiguration.fromEnvironment(environment)
        for name in OrderSagaStep.all {
            configuration.saga.steps[name]?.retry.initialInterval = .milliseconds(40)
            configuration.saga.steps[name]?.retry.maximumInterval = .seconds(1)
        }
        return configuration
    }

    /// Runs `body` against a fresh service and sandbox; both stop (and the databases are dropped) afterwards.
    ///
    /// `afterStop` looks at the databases once the service has shut down gracefully, before they are dropped.
    static func run<T: Sendable>(
        environment: [String: String] = [:],
        sandbox sandboxConfiguration: SandboxConfiguration = SandboxConfiguration(
            port: 0, slowDelay: .milliseconds(1200)),
        afterStop: @Sendable (ServiceHarness) async throws -> Void = { _ in },
        _ body: @Sendable (ServiceHarness) async throws -> T
    ) async throws -> T {
        try await withRunningSandbox(configuration: sandboxConfiguration, logger: quietLogger("sandbox")) { sandbox in
            let configuration = try testConfiguration(sandbox: sandbox, environment: environment)
            let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
            let service = try OrderServiceApplication(configuration: configuration, logger: quietLogger("order-saga")) {
                port in
                portContinuation.yield(port)
            }
            let group = ServiceGroup(
                configuration: .init(services: [service.application], logger: quietLogger("service-group")))
            let client = try TestDeployment.client()
            return try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask {
                    defer { portContinuation.finish() }
                    try await group.run()
                }
                guard let port = await ports.first(where: { _ in true }) else {
                    try await tasks.next()
                    throw HarnessError("the service stopped before it listened")
                }
                let harness = ServiceHarness(
                    baseURL: "http://127.0.0.1:\(port)", sandboxURL: sandbox.baseURL,
                    database: client.database(configuration.mongoDatabase),
                    historyDatabase: client.database(configuration.historyDatabase), http: HTTPClient.shared)
                do {
                    try await harness.waitUntilReady()
                    let result = try await body(harness)
                    await group.triggerGracefulShutdown()
                    try await tasks.waitForAll()
                    try await afterStop(harness)
                    try? await harness.database.drop()
                    try? await harness.historyDatabase.drop()
                    return result
                } catch {
                    await group.triggerGracefulShutdown()
                    try? await tasks.waitForAll()
                    throw error
                }
            }
        }
    }

    /// Waits (bounded) until `/health/ready` answers 200, as a load balancer would before sending traffic.
    func waitUntilReady(timeout: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now + timeout
        while try await request(.GET, "/health/ready", key: nil).status != 200 {
            guard ContinuousClock.now < deadline else {
                throw HarnessError("the service was not ready within \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    static func quietLogger(_ label: String) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel =
            ProcessInfo.processInfo.environment["HARNESS_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .critical
        return logger
    }
}

/// A harness failure (not a product failure).
struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

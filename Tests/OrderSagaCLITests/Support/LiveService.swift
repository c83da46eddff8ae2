import AsyncHTTPClient
import Foundation
import Logging
import MongoTesting
import OrderSagaClient
import ProviderSandbox
import ServiceLifecycle
import Testing

@testable import OrderService

/// A running order service with its own provider sandbox and databases, on an ephemeral loopback port, for the
/// command line to act on.
///
/// ```swift
/// try await LiveService.run { service in
///     let result = try await service.cli("sagas", "stats")
/// }
/// ```
struct LiveService: Sendable {
    static let operatorKey = "cli-operator-key"
    static let customerKey = "cli-customer-key"
    static let viewerKey = "cli-viewer-key"

    let url: String

    /// Runs `body` against a fresh service and sandbox; both stop, and the databases are dropped, afterwards.
    ///
    /// `environment` adds to or overrides the service's settings.
    static func run<T: Sendable>(
        environment extra: [String: String] = [:], _ body: @Sendable (LiveService) async throws -> T
    ) async throws -> T {
        try await withRunningSandbox(configuration: SandboxConfiguration(port: 0), logger: quiet("sandbox")) {
            sandbox in
            var environment: [String: String] = [
                "PORT": "0", "HOST": "127.0.0.1", "MONGODB_URI": try TestDeployment.uri(),
                "MONGODB_DATABASE": TestDeployment.uniqueName("cli_orders"),
                "HISTORY_DATABASE": TestDeployment.uniqueName("cli_history"),
                "PAYMENTS_URL": sandbox.baseURL, "SHIPPING_URL": sandbox.baseURL, "NOTIFY_URL": sandbox.baseURL,
                "POLL_INTERVAL": "100ms", "LOG_LEVEL": "warning",
            ]
            environment.merge(extra) { $1 }
            environment["API_KEYS"] =
                "\(operatorKey):operator,\(customerKey):customer,\(viewerKey):viewer"
            let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
            let configuration = try ServiceConfiguration.fromEnvironment(environment)
            let service = try OrderServiceApplication(configuration: configuration, logger: quiet("order-saga")) {
                portContinuation.yield($0)
            }
            let group = ServiceGroup(
                configuration: .init(services: [service.application], logger: quiet("service-group")))
            let client = try TestDeployment.client()
            return try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask {
                    defer { portContinuation.finish() }
                    try await group.run()
                }
                guard let port = await ports.first(where: { _ in true }) else {
                    try await tasks.next()
                    throw TestFailure("the service stopped before it listened")
                }
                try await waitUntilReady(port: port)
                let live = LiveService(url: "http://127.0.0.1:\(port)")
                let result: Result<T, any Error>
                do { result = .success(try await body(live)) } catch { result = .failure(error) }
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                try? await client.database(configuration.mongoDatabase).drop()
                try? await client.database(configuration.historyDatabase).drop()
                return try result.get()
            }
        }
    }

    /// Waits (bounded) until `/health/ready` answers 200: the service listens before its stores are prepared.
    static func waitUntilReady(port: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/health/ready")
            request.method = .GET
            if let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(5)),
                response.status == .ok
            {
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestFailure("the service on port \(port) was not ready within 60 s")
    }

    /// Runs `order-saga` with `arguments` against this service, with the operator key unless `key` says otherwise.
    func cli(
        _ arguments: String..., key: String? = LiveService.operatorKey, stdin: String? = nil,
        timeout: Duration = .seconds(60)
    ) async throws -> CLIResult {
        try await cli(arguments, key: key, stdin: stdin, timeout: timeout)
    }

    /// Runs `order-saga` with `arguments` against this service, with the operator key unless `key` says otherwise.
    func cli(
        _ arguments: [String], key: String? = LiveService.operatorKey, stdin: String? = nil,
        timeout: Duration = .seconds(60)
    ) async throws -> CLIResult {
        var environment = ["ORDER_SAGA_URL": url]
        environment["ORDER_SAGA_KEY"] = key
        return try await CLIResult.run(arguments, environment: environment, stdin: stdin, timeout: timeout)
    }

    /// Polls the saga of `orderId` through the client library until its status is one of `statuses` (bounded).
    @discardableResult
    func waitForStatus(_ orderId: String, in statuses: Set<String>, timeout: Duration = .seconds(30)) async throws
        -> SagaDetail
    {
        try await waitUntil(orderId, timeout: timeout) { statuses.contains($0.status) }
    }

    /// Polls the saga of `orderId` through the client library until `condition` holds (bounded).
    @discardableResult
    func waitUntil(
        _ orderId: String, timeout: Duration = .seconds(30), _ condition: @Sendable (SagaDetail) -> Bool
    ) async throws -> SagaDetail {
        let deadline = ContinuousClock.now + timeout
        return try await OrderSagaClient.withClient(baseURL: url, key: Self.operatorKey) { client in
            while true {
                let saga = try await client.saga(orderId: orderId).value
                if condition(saga) { return saga }
                guard ContinuousClock.now < deadline else {
                    throw TestFailure(
                        "order \(orderId) is \(saga.status) after \(timeout): \(saga.history.map(\.type))")
                }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    static func quiet(_ label: String) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = .critical
        return logger
    }
}

/// A failure of the test's own machinery (not of the product).
struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

import AsyncHTTPClient
import Foundation
import Logging
import MongoTesting
import ProviderSandbox
import ServiceLifecycle
import Synchronization

@testable import OrderService

/// Several instances of the service on one business database and one history database, each started and stopped
/// (gracefully) by the test, with one provider sandbox.
///
/// ```swift
/// try await ServiceCluster.run(instances: 2, environment: ["INTAKE_COLLECTION": "order_intake"]) { cluster in
///     let first = try await cluster.start(0)
///     try await cluster.stop(0)
/// }
/// ```
final class ServiceCluster: Sendable {
    private struct Running {
        let group: ServiceGroup
        let task: Task<Void, any Error>
        let harness: ServiceHarness
    }

    let configurations: [ServiceConfiguration]
    private let running = Mutex<[Int: Running]>([:])

    private init(configurations: [ServiceConfiguration]) {
        self.configurations = configurations
    }

    /// Runs `body` with `instances` configured instances (none started) sharing databases and a sandbox; every
    /// instance still running is stopped, and the databases dropped, afterwards.
    static func run<T: Sendable>(
        instances: Int, environment: [String: String] = [:], _ body: @Sendable (ServiceCluster) async throws -> T
    ) async throws -> T {
        try await withRunningSandbox(
            configuration: SandboxConfiguration(port: 0), logger: ServiceHarness.quietLogger("sandbox")
        ) { sandbox in
            var shared = environment
            shared["MONGODB_DATABASE"] = shared["MONGODB_DATABASE"] ?? TestDeployment.uniqueName("orders")
            shared["HISTORY_DATABASE"] = shared["HISTORY_DATABASE"] ?? TestDeployment.uniqueName("history")
            let configurations = try (0..<instances).map { _ in
                try ServiceHarness.testConfiguration(sandbox: sandbox, environment: shared)
            }
            let cluster = ServiceCluster(configurations: configurations)
            let client = try TestDeployment.client()
            do {
                let result = try await body(cluster)
                try await cluster.stopAll()
                try? await client.database(configurations[0].mongoDatabase).drop()
                try? await client.database(configurations[0].historyDatabase).drop()
                return result
            } catch {
                try? await cluster.stopAll()
                throw error
            }
        }
    }

    /// Starts instance `index` and waits (bounded) until it is ready; returns its harness.
    @discardableResult
    func start(_ index: Int) async throws -> ServiceHarness {
        let configuration = configurations[index]
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let service = try OrderServiceApplication(
            configuration: configuration, logger: ServiceHarness.quietLogger("order-saga-\(index)")
        ) { port in
            portContinuation.yield(port)
        }
        let group = ServiceGroup(
            configuration: .init(services: [service.application], logger: ServiceHarness.quietLogger("group-\(index)")))
        let task = Task {
            defer { portContinuation.finish() }
            try await group.run()
        }
        guard let port = await ports.first(where: { _ in true }) else {
            try await task.value
            throw HarnessError("instance \(index) stopped before it listened")
        }
        let client = try TestDeployment.client()
        let harness = ServiceHarness(
            baseURL: "http://127.0.0.1:\(port)", sandboxURL: configuration.providers.payments,
            database: client.database(configuration.mongoDatabase),
            historyDatabase: client.database(configuration.historyDatabase), http: HTTPClient.shared)
        running.withLock { $0[index] = Running(group: group, task: task, harness: harness) }
        try await harness.waitUntilReady()
        return harness
    }

    /// Stops instance `index` gracefully and waits until it has stopped.
    func stop(_ index: Int) async throws {
        guard let instance = running.withLock({ $0.removeValue(forKey: index) }) else { return }
        await instance.group.triggerGracefulShutdown()
        try await instance.task.value
    }

    private func stopAll() async throws {
        for index in running.withLock({ Array($0.keys) }) { try await stop(index) }
    }
}

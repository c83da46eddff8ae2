import AsyncHTTPClient
import Foundation
import ProviderSandbox
import ServiceLifecycle
import Testing

@testable import OrderService

/// Starting and stopping when something outside is wrong: the database unreachable, the port taken.
@Suite("Service lifecycle")
struct LifecycleTests {
    /// A configuration whose database is not there (a closed port) and fails fast.
    static func unreachableDatabase(port: Int) throws -> ServiceConfiguration {
        try ServiceConfiguration.fromEnvironment([
            "PORT": "\(port)", "HOST": "127.0.0.1",
            "MONGODB_URI": "mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=300&connectTimeoutMS=300",
            "PAYMENTS_URL": "http://127.0.0.1:1", "SHIPPING_URL": "http://127.0.0.1:1",
            "NOTIFY_URL": "http://127.0.0.1:1",
            "API_KEYS": "lifecycle-key:operator", "LOG_LEVEL": "critical",
        ])
    }

    /// What `body` ended with, or nil when it was still running after `bound` (it is then left behind).
    static func outcome(within bound: Duration, _ body: @escaping @Sendable () async throws -> Void) async
        -> Result<Void, any Error>?
    {
        let (ends, end) = AsyncStream.makeStream(of: Result<Void, any Error>?.self)
        Task {
            do {
                try await body()
                end.yield(.success(()))
            } catch {
                end.yield(.failure(error))
            }
        }
        let timer = Task {
            try? await Task.sleep(for: bound)
            end.yield(nil)
        }
        defer { timer.cancel() }
        return await ends.first { _ in true } ?? nil
    }

    @Test("a shutdown while the database is unreachable ends the service instead of waiting for the stores")
    func shutdownWithoutDatabase() async throws {
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let service = try OrderServiceApplication(
            configuration: try Self.unreachableDatabase(port: 0), logger: ServiceHarness.quietLogger("order-saga")
        ) { port in portContinuation.yield(port) }
        let group = ServiceGroup(
            configuration: .init(services: [service.application], logger: ServiceHarness.quietLogger("group")))
        let ended = await Self.outcome(within: .seconds(30)) {
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                let port = try #require(await ports.first { _ in true })
                let live = try await HTTPClient.shared.execute(
                    HTTPClientRequest(url: "http://127.0.0.1:\(port)/health/live"), timeout: .seconds(5))
                #expect(live.status == .ok, "liveness does not depend on the database")
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
        }
        #expect(ended != nil, "the service was still running 30 s after the shutdown began")
        if case .failure(let error) = ended { Issue.record(error) }
    }

    @Test("a listen address already in use stops the service with that error")
    func portInUse() async throws {
        try await withRunningSandbox(
            configuration: SandboxConfiguration(port: 0), logger: ServiceHarness.quietLogger("sandbox")
        ) { sandbox in
            let service = try OrderServiceApplication(
                configuration: try Self.unreachableDatabase(port: sandbox.port),
                logger: ServiceHarness.quietLogger("order-saga"))
            let group = ServiceGroup(
                configuration: .init(services: [service.application], logger: ServiceHarness.quietLogger("group")))
            let ended = await Self.outcome(within: .seconds(30)) { try await group.run() }
            guard case .failure(let error) = ended else {
                Issue.record("expected the service to stop with the bind error, got \(String(describing: ended))")
                return
            }
            #expect("\(error)".contains("in use"), "\(error)")
        }
    }
}

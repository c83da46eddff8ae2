import Foundation
import Hummingbird
import HummingbirdTesting
import ProviderSandbox

/// Building sandboxes for tests.
enum SandboxFixture {
    /// An in-memory sandbox configuration on a free port with a short `tok_slow` delay.
    static func configuration(
        dataDirectory: String? = nil,
        failureRate: Double = 0,
        slowDelay: Duration = .milliseconds(300),
        seed: UInt64? = 42
    ) -> SandboxConfiguration {
        SandboxConfiguration(
            port: 0, dataDirectory: dataDirectory, failureRate: failureRate, slowDelay: slowDelay, seed: seed)
    }

    /// Builds a sandbox with `configuration` and runs `test` against it through `setup` (router by default).
    static func withSandbox<Value: Sendable>(
        _ configuration: SandboxConfiguration = configuration(),
        setup: TestingSetup = .router,
        _ test: @Sendable (any TestClientProtocol) async throws -> Value
    ) async throws -> Value {
        let app = try await buildSandboxApplication(configuration: configuration)
        return try await app.test(setup, test)
    }
}

/// A fresh folder under the temporary directory, removed at the end of `body`.
func withTemporaryDirectory<Value>(_ body: (String) async throws -> Value) async throws -> Value {
    let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("provider-sandbox-tests-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try await body(path)
}

/// Waits until `condition` holds, checking every 10 ms, and fails after `timeout`.
func waitUntil(
    timeout: Duration = .seconds(5), _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while try await !condition() {
        guard ContinuousClock.now < deadline else { throw ConditionTimeout() }
        try await Task.sleep(for: .milliseconds(10))
    }
}

/// `waitUntil` gave up.
struct ConditionTimeout: Error {}

/// A value set once from a concurrent task and read by the test.
actor RecordedValue<Value: Sendable> {
    /// The value, nil until set.
    private(set) var value: Value?

    /// Records `newValue`.
    func set(_ newValue: Value) {
        value = newValue
    }
}

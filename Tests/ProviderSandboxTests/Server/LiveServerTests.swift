import Foundation
import HummingbirdTesting
import ProviderSandbox
import Testing

@Suite("A live sandbox server")
struct LiveServerTests {
    @Test("serves charges and ledgers over real HTTP")
    func liveCharge() async throws {
        try await SandboxFixture.withSandbox(setup: .live) { client async throws in
            let charge = try await client.charge(orderId: "o-1", key: "c1")
            #expect(charge.status == .created)
            #expect(charge.headers[.contentType] == "application/json")
            let ledger = try await client.get("/ledger/charges?orderId=o-1")
            #expect(ledger.status == .ok)
            #expect(ledger.text.contains("\"idempotencyKey\":\"c1\""))
        }
    }

    @Test("onServerRunning reports the port bound for port 0")
    func reportsBoundPort() async throws {
        let reported = RecordedValue<Int>()
        let app = try await buildSandboxApplication(
            configuration: SandboxFixture.configuration(),
            onServerRunning: { port in await reported.set(port) })
        try await app.test(.live) { client async throws in
            let port = try #require(client.port)
            #expect(port != 0)
            #expect(await reported.value == port)
        }
    }

    @Test("withRunningSandbox serves on a free port for the duration of its body")
    func withRunningSandboxServes() async throws {
        let sandbox = try await withRunningSandbox(configuration: SandboxFixture.configuration()) {
            sandbox async throws in
            #expect(sandbox.port != 0)
            #expect(sandbox.baseURL == "http://127.0.0.1:\(sandbox.port)")
            let health = try await TestClient.withClient(host: sandbox.host, port: sandbox.port) {
                client async throws in
                try await client.get("/health")
            }
            #expect(health.status == .ok)
            return sandbox
        }
        await #expect(throws: (any Error).self) {
            try await TestClient.withClient(host: sandbox.host, port: sandbox.port) { client async throws in
                _ = try await client.get("/health")
            }
        }
    }

    @Test("withRunningSandbox reports a port that cannot be bound")
    func withRunningSandboxFailsToBind() async throws {
        try await withRunningSandbox(configuration: SandboxFixture.configuration()) { running async throws in
            var taken = SandboxFixture.configuration()
            taken.port = running.port
            await #expect(throws: (any Error).self) {
                try await withRunningSandbox(configuration: taken) { _ in }
            }
        }
    }
}

import Foundation
import MongoTesting
import Testing

/// `order-saga` with no subcommand, and `order-saga serve`, run the service as before the client existed.
@Suite("Command line: serving stays the default", .timeLimit(.minutes(3)))
struct ServeDefaultTests {
    @Test("order-saga and order-saga serve both serve with the serve flags; SIGTERM stops them with status 0")
    func servesByDefault() async throws {
        for subcommand in [[], ["serve"]] {
            let orders = TestDeployment.uniqueName("cli_serve")
            let history = TestDeployment.uniqueName("cli_serve_history")
            let output = FileManager.default.temporaryDirectory.appendingPathComponent("serve-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: output) }
            var environment = ProcessInfo.processInfo.environment
            environment.merge([
                "MONGODB_URI": try TestDeployment.uri(), "MONGODB_DATABASE": orders, "HISTORY_DATABASE": history,
                "API_KEYS": "serve-operator-key:operator",
            ]) { $1 }
            let process = try ChildProcess(
                executable: try CLIResult.binary,
                arguments: subcommand + ["--host", "127.0.0.1", "--port", "0", "--log-level", "warning"],
                environment: environment, output: output)

            let port = try await Self.listeningPort(in: output, of: process)
            try await LiveService.waitUntilReady(port: port)
            let stats = try await CLIResult.run(
                ["sagas", "stats", "--output", "json"],
                environment: ["ORDER_SAGA_URL": "http://127.0.0.1:\(port)", "ORDER_SAGA_KEY": "serve-operator-key"])
            #expect(stats.status == 0, "order-saga \(subcommand): \(stats)")
            #expect(try stats.json["total"] as? Int == 0, "\(stats)")

            process.send(SIGTERM)
            let status = try await process.exit(within: .seconds(30))
            #expect(status != nil, "order-saga \(subcommand) did not stop within 30 s of SIGTERM")
            #expect(status == 0, "\((try? String(contentsOf: output, encoding: .utf8)) ?? "")")

            let client = try TestDeployment.client()
            try? await client.database(orders).drop()
            try? await client.database(history).drop()
        }
    }

    /// The port in the `order-saga listening on http://127.0.0.1:<port>` line (bounded wait).
    static func listeningPort(in output: URL, of process: ChildProcess) async throws -> Int {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.contains("listening on http://127.0.0.1:") }),
                let port = line.split(separator: ":").last.flatMap({ Int($0.prefix { $0.isNumber }) })
            {
                return port
            }
            guard process.isRunning else { throw TestFailure("order-saga stopped before it listened: \(text)") }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestFailure("order-saga did not listen within 60 s")
    }
}

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
            _ = FileManager.default.createFile(atPath: output.path, contents: nil)
            defer { try? FileManager.default.removeItem(at: output) }
            let process = Process()
            process.executableURL = try CLIResult.binary
            process.arguments = subcommand + ["--host", "127.0.0.1", "--port", "0", "--log-level", "warning"]
            var environment = ProcessInfo.processInfo.environment
            environment.merge([
                "MONGODB_URI": try TestDeployment.uri(), "MONGODB_DATABASE": orders, "HISTORY_DATABASE": history,
                "API_KEYS": "serve-operator-key:operator",
            ]) { $1 }
            process.environment = environment
            let handle = try FileHandle(forWritingTo: output)
            defer { try? handle.close() }
            process.standardOutput = handle
            process.standardError = handle
            try process.run()
            defer {
                if process.isRunning { process.interrupt() }
            }

            let port = try await Self.listeningPort(in: output, of: process)
            try await LiveService.waitUntilReady(port: port)
            let stats = try await CLIResult.run(
                ["sagas", "stats", "--output", "json"],
                environment: ["ORDER_SAGA_URL": "http://127.0.0.1:\(port)", "ORDER_SAGA_KEY": "serve-operator-key"])
            #expect(stats.status == 0, "order-saga \(subcommand): \(stats)")
            #expect(try stats.json["total"] as? Int == 0, "\(stats)")

            process.terminate()
            let deadline = ContinuousClock.now + .seconds(30)
            while process.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
            #expect(!process.isRunning, "order-saga \(subcommand) did not stop within 30 s of SIGTERM")
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "\((try? String(contentsOf: output, encoding: .utf8)) ?? "")")

            let client = try TestDeployment.client()
            try? await client.database(orders).drop()
            try? await client.database(history).drop()
        }
    }

    /// The port in the `order-saga listening on http://127.0.0.1:<port>` line (bounded wait).
    static func listeningPort(in output: URL, of process: Process) async throws -> Int {
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

import Foundation
import Testing

/// What a run of the built `order-saga` binary did: its exit status and output.
struct CLIResult: Sendable {
    let status: Int32
    let stdout: String
    let stderr: String

    /// Standard output's lines, without the empty last one.
    var lines: [String] { stdout.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) }

    /// Standard output as a JSON object.
    var json: [String: Any] {
        get throws {
            guard let object = try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any] else {
                throw TestFailure("not a JSON object: \(stdout)")
            }
            return object
        }
    }

    /// Each line of standard output as a JSON object.
    var jsonLines: [[String: Any]] {
        get throws {
            try lines.map { line in
                guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                    throw TestFailure("not a JSON object: \(line)")
                }
                return object
            }
        }
    }

    /// The `order-saga` binary built beside this test bundle (`swift build` builds both into one folder).
    static var binary: URL {
        get throws {
            let own = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            var folder = own.deletingLastPathComponent()
            // On macOS the test binary sits inside the .xctest bundle.
            while folder.pathExtension == "xctest" || folder.lastPathComponent == "MacOS"
                || folder.lastPathComponent == "Contents"
            {
                folder.deleteLastPathComponent()
            }
            let binary = folder.appendingPathComponent("order-saga")
            guard FileManager.default.isExecutableFile(atPath: binary.path) else {
                throw TestFailure("no order-saga binary at \(binary.path): run `swift build` first")
            }
            return binary
        }
    }

    /// Runs `order-saga` with `arguments` and `environment` (over a clean copy of this process's, without any
    /// `ORDER_SAGA_*`), feeding `stdin`; kills it and fails after `timeout`.
    static func run(
        _ arguments: [String], environment: [String: String] = [:], stdin: String? = nil,
        timeout: Duration = .seconds(60)
    ) async throws -> CLIResult {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let outURL = folder.appendingPathComponent("stdout")
        let errURL = folder.appendingPathComponent("stderr")
        let inURL = folder.appendingPathComponent("stdin")
        try Data((stdin ?? "").utf8).write(to: inURL)

        var merged = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("ORDER_SAGA_") }
        // No libmongoc counters file in /dev/shm: one left by a killed process with the same pid makes it warn on stderr.
        merged["MONGOC_DISABLE_SHM"] = "1"
        merged.merge(environment) { $1 }
        let process = try ChildProcess(
            executable: try binary, arguments: arguments, environment: merged, input: inURL, output: outURL,
            error: errURL)
        guard let status = try await process.exit(within: timeout) else {
            process.send(SIGKILL)
            let partial = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
            throw TestFailure("order-saga \(arguments.joined(separator: " ")) ran past \(timeout): \(partial)")
        }
        return CLIResult(
            status: status, stdout: try String(contentsOf: outURL, encoding: .utf8),
            stderr: try String(contentsOf: errURL, encoding: .utf8))
    }
}

extension CLIResult: CustomTestStringConvertible {
    var testDescription: String { "exit \(status)\nstdout: \(stdout)\nstderr: \(stderr)" }
}

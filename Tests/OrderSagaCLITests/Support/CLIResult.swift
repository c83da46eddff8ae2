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
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        defer {
            try? out.close()
            try? err.close()
        }

        let process = Process()
        process.executableURL = try binary
        process.arguments = arguments
        var merged = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("ORDER_SAGA_") }
        merged.merge(environment) { $1 }
        process.environment = merged
        process.standardOutput = out
        process.standardError = err
        let input = Pipe()
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()

        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else {
                process.terminate()
                process.waitUntilExit()
                let partial = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
                throw TestFailure("order-saga \(arguments.joined(separator: " ")) ran past \(timeout): \(partial)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        process.waitUntilExit()
        return CLIResult(
            status: process.terminationStatus, stdout: try String(contentsOf: outURL, encoding: .utf8),
            stderr: try String(contentsOf: errURL, encoding: .utf8))
    }
}

extension CLIResult: CustomTestStringConvertible {
    var testDescription: String { "exit \(status)\nstdout: \(stdout)\nstderr: \(stderr)" }
}

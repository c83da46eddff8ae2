import ArgumentParser
import Foundation
import OrderSagaClient

/// Runs an `order-saga` command line and turns its outcome into an exit status scripts can trust.
///
/// ```swift
/// @main struct Root: ParsableCommand {
///     static func main() async { exit(await CommandLineRunner.run(Root.self)) }
/// }
/// ```
///
/// | status | meaning |
/// | --- | --- |
/// | 0 | done (also `--help`) |
/// | 1 | refused by the API: its problem's title, detail and field errors go to standard error |
/// | 2 | usage: an unknown option, a missing argument, a malformed value |
/// | 3 | unreachable: the service's URL could not be reached |
public enum CommandLineRunner {
    /// The exit statuses.
    public enum Status: Int32, Sendable {
        case done = 0
        case refused = 1
        case usage = 2
        case unreachable = 3
    }

    /// Parses `arguments` (the process's when `nil`) as `root`'s command line, runs the command and returns its
    /// exit status.
    public static func run(_ root: any ParsableCommand.Type, arguments: [String]? = nil) async -> Int32 {
        do {
            var command = try root.parseAsRoot(arguments)
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
            return Status.done.rawValue
        } catch {
            return report(error, root: root)
        }
    }

    /// Prints what `error` means for the user and returns the exit status for it.
    static func report(_ error: any Error, root: any ParsableCommand.Type) -> Int32 {
        if let error = error as? OrderSagaClientError {
            Console.error(message(for: error))
            return status(of: error.category).rawValue
        }
        let code = root.exitCode(for: error)
        let text = root.fullMessage(for: error)
        if code == .success {
            if !text.isEmpty { Console.write(text) }
            return Status.done.rawValue
        }
        if !text.isEmpty { Console.error(text) }
        return code == .validationFailure ? Status.usage.rawValue : code.rawValue
    }

    /// The exit status of a class of client failure.
    static func status(of category: OrderSagaClientError.Category) -> Status {
        switch category {
        case .refused: .refused
        case .usage: .usage
        case .unreachable: .unreachable
        }
    }

    /// The lines a client failure prints: a problem's title and detail and each invalid field.
    static func message(for error: OrderSagaClientError) -> String {
        switch error {
        case .refused(let problem):
            var lines = ["Error: \(problem.title) (\(problem.status))" + (problem.detail.map { ": \($0)" } ?? "")]
            for field in problem.errors ?? [] { lines.append("  \(field.field): \(field.message)") }
            if problem.status == 401 { lines.append("  (the key comes from ORDER_SAGA_KEY or --key)") }
            return lines.joined(separator: "\n")
        case .unreachable(let url, let reason):
            return "Error: cannot reach the service at \(url): \(reason)"
        case .invalidRequest(let reason):
            return "Error: \(reason)"
        case .unexpectedAnswer(let reason):
            return "Error: \(reason)"
        }
    }
}

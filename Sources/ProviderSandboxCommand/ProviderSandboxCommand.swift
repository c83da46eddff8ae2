import ArgumentParser
import Foundation
import ProviderSandbox

/// The `provider-sandbox` executable: a stand-in card gateway, carrier and mailer over HTTP.
///
/// Every option mirrors a `SANDBOX_*` environment variable; an option given on the command line wins.
@main
struct ProviderSandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "provider-sandbox",
        abstract: "A stand-in card gateway, carrier and mailer with ledgers that tests read.")

    @Option(help: "Port to listen on; 0 picks a free one. (SANDBOX_PORT, default 8090)")
    var port: String?

    @Option(help: "Interface to listen on. (SANDBOX_HOST, default 127.0.0.1)")
    var host: String?

    @Option(help: "Folder of the journal; without it everything is in memory only. (SANDBOX_DATA_DIR)")
    var dataDir: String?

    @Option(help: "Share of mutating calls, 0.0 to 1.0, failing with 503. (SANDBOX_FAILURE_RATE, default 0)")
    var failureRate: String?

    @Option(help: "Latency added to mutating calls, \"ms\" or \"min-max\". (SANDBOX_LATENCY_MS, default 0)")
    var latencyMs: String?

    @Option(help: "How late the first tok_slow charge of an order is answered. (SANDBOX_SLOW_DELAY_MS, default 3000)")
    var slowDelayMs: String?

    @Option(help: "Seed of the fault injector's random numbers. (SANDBOX_SEED)")
    var seed: String?

    func run() async throws {
        let configuration: SandboxConfiguration
        do {
            configuration = try SandboxConfiguration(environment: settings())
        } catch {
            let source = optionsByVariable()[error.variable].map { "--\($0) (\(error.variable))" } ?? error.variable
            throw ValidationError("\(source)=\"\(error.value)\" is invalid: expected \(error.expectation)")
        }
        let host = configuration.host
        try await runSandbox(configuration: configuration) { port in
            FileHandle.standardOutput.write(Data("provider-sandbox listening on http://\(host):\(port)\n".utf8))
        }
    }

    /// The process environment with the command-line options laid over it.
    private func settings() -> [String: String] {
        var settings = ProcessInfo.processInfo.environment
        for case (let variable, _, let value?) in options() {
            settings[variable] = value
        }
        return settings
    }

    /// The option names given on the command line, by the variable they override.
    private func optionsByVariable() -> [String: String] {
        var names: [String: String] = [:]
        for case (let variable, let option, _?) in options() {
            names[variable] = option
        }
        return names
    }

    /// Each option as (environment variable, option name, value given).
    private func options() -> [(variable: String, option: String, value: String?)] {
        typealias Variable = SandboxConfiguration.EnvironmentVariable
        return [
            (Variable.port, "port", port), (Variable.host, "host", host), (Variable.dataDirectory, "data-dir", dataDir),
            (Variable.failureRate, "failure-rate", failureRate), (Variable.latency, "latency-ms", latencyMs),
            (Variable.slowDelay, "slow-delay-ms", slowDelayMs), (Variable.seed, "seed", seed),
        ]
    }
}

import ArgumentParser
import OrderSagaClient

extension SagasCommand {
    /// `sagas retry --status STUCK`: retries every saga in a status (`POST /v1/sagas/retry`).
    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Retry every saga in a status (STUCK).",
            discussion: "Exits 1 when any saga could not be retried (each is listed on standard error).")

        @Option(help: "The status whose sagas are retried: STUCK.") var status: String
        @Option(help: "Recorded in each saga's history (at most 256 characters).") var reason: String?
        @Option(help: "At most this many sagas.") var limit: Int?
        @OptionGroup var options: ClientOptions

        func validate() throws {
            if let reason, reason.count > 256 { throw ValidationError("--reason is at most 256 characters") }
            if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
        }

        func run() async throws {
            let request = BatchRetryRequest(status: status, reason: reason, limit: limit)
            let answer = try await options.connection.withClient { try await $0.retrySagas(request) }
            try Printer(format: options.format).print(answer) { result in
                var table = TextTable(["ORDER", "RESULT"])
                for order in result.retried { table.add([order, "retried"]) }
                for failure in result.failed { table.add([failure.orderId, "failed: \(failure.detail)"]) }
                return table.rendered + "\n\(result.retried.count) retried, \(result.failed.count) failed"
            }
            guard answer.value.failed.isEmpty else {
                for failure in answer.value.failed {
                    Console.error("not retried: \(failure.orderId): \(failure.detail)")
                }
                throw ExitCode(CommandLineRunner.Status.refused.rawValue)
            }
        }
    }
}

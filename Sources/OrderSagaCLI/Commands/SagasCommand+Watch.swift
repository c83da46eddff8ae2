import ArgumentParser
import Foundation
import OrderSagaClient

extension SagasCommand {
    /// `sagas watch ORDER`: prints a saga's events as they are recorded, until the terminal one.
    struct Watch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Follow an order's saga events live until it ends (Server-Sent Events).",
            discussion: """
                Prints the history from the start (or after --after SEQ), then each event as it is recorded; exits 0 \
                after the terminal event. A dropped connection is resumed with Last-Event-ID after a bounded backoff.
                """)

        @Argument(help: "The order id (ord_…).") var order: String
        @Option(help: "Start after this event seq (0: from the first event).") var after: Int64 = 0
        @Option(help: "Reconnections in a row that bring no event before giving up.") var retries: Int = 10
        @OptionGroup var options: ClientOptions

        func validate() throws {
            guard after >= 0 else { throw ValidationError("--after must be 0 or more") }
            guard retries >= 0 else { throw ValidationError("--retries must be 0 or more") }
        }

        func run() async throws {
            let format = options.format
            _ = try await options.connection.withClient { client in
                try await client.followEvents(
                    orderId: order, after: after, policy: ReconnectPolicy(maximumFailures: retries)
                ) { watched in
                    switch format {
                    case .table: Console.write(WatchLine.text(watched.event))
                    case .json: Console.write(Printer.pretty(try Printer.parse(Data(watched.json.utf8))))
                    case .jsonl: Console.write(watched.json)
                    }
                }
            }
        }
    }
}

/// One history event as a line of text.
enum WatchLine {
    /// Seq, time, type, step, attempt and data, as table cells.
    static func cells(_ event: SagaEvent) -> [String?] {
        let data = event.data.flatMap { $0 == .object([:]) || $0 == .null ? nil : $0.jsonText() }
        return ["\(event.seq)", Display.time(event.at), event.type, event.step, Display.number(event.attempt), data]
    }

    /// `#7  2026-11-21 19:51:56Z  StepCompleted  ChargePayment  attempt 1  {…}`.
    static func text(_ event: SagaEvent) -> String {
        let cells = cells(event)
        var parts = ["#\(event.seq)", cells[1] ?? event.at, event.type]
        if let step = event.step { parts.append(step) }
        if let attempt = event.attempt { parts.append("attempt \(attempt)") }
        if let data = cells[5] { parts.append(data) }
        return parts.joined(separator: "  ")
    }
}

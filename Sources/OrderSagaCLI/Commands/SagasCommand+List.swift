import ArgumentParser
import OrderSagaClient

extension SagasCommand {
    /// `sagas list`: one page of sagas, newest started first (`GET /v1/sagas`).
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List sagas, newest started first.")

        @Option(help: "Only sagas in this status (RUNNING, AWAITING_APPROVAL, STUCK, COMPLETED, …).") var status:
            String?
        @Option(help: "Only this customer's sagas.") var customer: String?
        @Option(help: "At most this many (1–500).") var limit: Int?
        @Option(help: "The page after the one that printed this cursor.") var cursor: String?
        @OptionGroup var options: ClientOptions

        func validate() throws {
            if let limit, !(1...500).contains(limit) { throw ValidationError("--limit must be from 1 to 500") }
        }

        func run() async throws {
            let query = SagaListQuery(status: status, customerId: customer, limit: limit, cursor: cursor)
            let answer = try await options.connection.withClient { try await $0.sagas(query) }
            try Printer(format: options.format).print(answer, listKey: "items") { page in
                var table = TextTable(["ORDER", "STATUS", "STEP", "ATTEMPT", "CUSTOMER", "TOTAL", "STARTED", "UPDATED"])
                for item in page.items {
                    table.add([
                        item.orderId ?? item.sagaId, item.status, item.step, Display.number(item.attempt),
                        item.customerId, Display.money(item.total), Display.time(item.startedAt),
                        Display.time(item.updatedAt),
                    ])
                }
                var text = table.rendered
                if let next = page.nextCursor { text += "\nnext page: --cursor \(next)" }
                return text
            }
        }
    }

    /// `sagas stats`: how many sagas are in each status (`GET /v1/sagas/stats`).
    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Count sagas by status.")

        @OptionGroup var options: ClientOptions

        func run() async throws {
            let answer = try await options.connection.withClient { try await $0.sagaStats() }
            try Printer(format: options.format).print(answer) { stats in
                var table = TextTable(["STATUS", "COUNT"])
                for (status, count) in stats.counts.sorted(by: { $0.key < $1.key }) { table.add([status, "\(count)"]) }
                table.add(["TOTAL", "\(stats.total)"])
                return table.rendered
            }
        }
    }
}

import ArgumentParser
import AsyncHTTPClient
import Foundation

/// `saga-bench`: measures the order service end to end (`service`, the default), the saga engine alone
/// (`engine`), or what the database allows (`ceiling`), and prints a Markdown report.
///
/// ```sh
/// saga-bench service --url http://127.0.0.1:8080 --key "$KEY" --orders 500 --concurrency 1,64,256 --json r.json
/// saga-bench engine --seconds 10 --in-flight 1024
/// saga-bench ceiling --mongodb-uri "$MONGODB_URI" --seconds 3 --workers 16 --mix-from r.json
/// ```
@main
struct SagaBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "saga-bench",
        abstract: "Benchmarks the order-saga service end to end, the saga engine alone, or the database's ceiling.",
        subcommands: [ServiceBench.self, EngineBench.self, CeilingBench.self],
        defaultSubcommand: ServiceBench.self)
}

/// Load-tests a running order-saga service.
struct ServiceBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "service",
        abstract: "Load-tests a running order-saga service and prints a Markdown report.",
        discussion: """
            Each of CONCURRENCY workers places an order, follows its saga's event stream until the terminal event, \
            then places its next order: the service needs STREAMS_PER_KEY at least CONCURRENCY.
            """)

    @Option(help: "The service's base URL.") var url = "http://127.0.0.1:8080"
    @Option(help: "An operator API key.") var key: String
    @Option(help: "How many orders to place (at each concurrency).") var orders = 500
    @Option(help: "Workers placing and following orders at once; a list (1,64,256) runs one after the other.")
    var concurrency = "16"
    @Option(help: "The payment token of every order (tok_visa, tok_flaky, …).") var token = "tok_visa"
    @Option(help: "Items (distinct SKUs) per order.") var items = 1
    @Option(help: "Products in the catalog the orders pick from (1: every order contends for one product).")
    var skus = 16
    @Option(help: "Seconds to wait for every saga to end.") var timeout = 600
    @Option(help: "The service's pid, to report its CPU time and memory.") var servicePid: Int?
    @Option(help: "The database server's pid (on this machine), to report its CPU time per saga.") var databasePid: Int?
    @Option(help: "The service's business database (default: $MONGODB_DATABASE or orders).")
    var businessDatabase = ProcessInfo.processInfo.environment["MONGODB_DATABASE"] ?? "orders"
    @Option(help: "The service's history database (default: $HISTORY_DATABASE or saga_history).")
    var historyDatabase = ProcessInfo.processInfo.environment["HISTORY_DATABASE"] ?? "saga_history"
    @Option(help: "Record the service's memory after these many orders have ended (1000,10000); needs --service-pid.")
    var rssCheckpoints = ""
    @Flag(
        help:
            "Open loop: place as fast as the workers can without following the sagas (no event streams, whose reads would count in the service's commands), then wait until every saga ended (from the service's saga_finished_total: one service, not a fleet)."
    )
    var openLoop = false
    @Option(help: "Write every figure, the per-saga latencies and the completions per second to this JSON file.")
    var json: String?

    var concurrencies: [Int] { Self.integers(concurrency) ?? [] }

    /// A comma-separated list of positive integers, or nil.
    static func integers(_ text: String) -> [Int]? {
        let values = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ ($0 ?? 0) > 0 }) else { return nil }
        return values.compactMap { $0 }
    }

    func validate() throws {
        guard orders > 0, Self.integers(concurrency) != nil, items > 0, items <= 100 else {
            throw ValidationError(
                "orders, concurrency (a comma-separated list) and items must be positive (items at most 100)")
        }
        guard rssCheckpoints.isEmpty || (Self.integers(rssCheckpoints) != nil && !openLoop) else {
            throw ValidationError("--rss-checkpoints is a comma-separated list of order counts, without --open-loop")
        }
    }

    func run() async throws {
        // Every worker holds an event stream and places orders beside it: room for two connections per worker, so
        // the client's pool never queues a request (the shared client allows 8 per host).
        let peak = concurrencies.max() ?? 1
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(
            idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: max(8, 2 * peak + 8))
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            try await run(with: BenchClient(baseURL: url, key: key, http: http))
        } catch {
            try? await http.shutdown()
            throw error
        }
        try await http.shutdown()
    }

    /// Runs the load at each concurrency in turn and reports each run.
    private func run(with client: BenchClient) async throws {
        var records: [ResultFile.ServiceRun] = []
        for concurrency in concurrencies {
            let settings = LoadRun.Settings(
                orders: orders, concurrency: concurrency, token: token, itemsPerOrder: items, catalogSize: skus,
                timeout: .seconds(timeout), businessDatabase: businessDatabase, historyDatabase: historyDatabase,
                memoryCheckpoints: Self.integers(rssCheckpoints) ?? [], openLoop: openLoop)
            let runId = String(UInt64(Date().timeIntervalSince1970 * 1000), radix: 36)
            let load = LoadRun(
                client: client, settings: settings, runId: runId, servicePid: servicePid, databasePid: databasePid)
            let skus = try await load.prepareCatalog()
            let result = try await load.run(skus: skus)
            let report = Report(
                settings: settings, result: result, memory: servicePid.flatMap(ProcessMemory.init(pid:)))
            if concurrencies.count > 1 { print("\n### Concurrency \(concurrency)\n") }
            print(report.markdown)
            records.append(report.record)
            if let json {
                try ResultFile(mode: "service", date: ResultFile.now, service: records).write(to: json)
            }
        }
    }
}

import ArgumentParser
import AsyncHTTPClient
import Foundation

/// `saga-bench`: measures the order service end to end (`service`, the default) or the saga engine alone
/// (`engine`), and prints a Markdown report.
///
/// ```sh
/// saga-bench service --url http://127.0.0.1:8080 --key "$KEY" --orders 500 --concurrency 16 --service-pid $PID
/// saga-bench engine --seconds 10 --in-flight 1024
/// ```
@main
struct SagaBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "saga-bench",
        abstract: "Benchmarks the order-saga service end to end, or the saga engine alone.",
        subcommands: [ServiceBench.self, EngineBench.self],
        defaultSubcommand: ServiceBench.self)
}

/// Load-tests a running order-saga service.
struct ServiceBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "service", abstract: "Load-tests a running order-saga service and prints a Markdown report.")

    @Option(help: "The service's base URL.") var url = "http://127.0.0.1:8080"
    @Option(help: "An operator API key.") var key: String
    @Option(help: "How many orders to place.") var orders = 500
    @Option(help: "How many placements in flight at once.") var concurrency = 16
    @Option(help: "The payment token of every order (tok_visa, tok_flaky, …).") var token = "tok_visa"
    @Option(help: "Items (distinct SKUs) per order.") var items = 1
    @Option(help: "Products in the catalog the orders pick from (1: every order contends for one product).")
    var skus = 16
    @Option(help: "Seconds to wait for every saga to end.") var timeout = 600
    @Option(help: "The service's pid, to report its memory.") var servicePid: Int?

    func validate() throws {
        guard orders > 0, concurrency > 0, items > 0, items <= 100 else {
            throw ValidationError("orders, concurrency and items must be positive (items at most 100)")
        }
    }

    func run() async throws {
        let client = BenchClient(baseURL: url, key: key, http: HTTPClient.shared)
        let settings = LoadRun.Settings(
            orders: orders, concurrency: concurrency, token: token, itemsPerOrder: items, catalogSize: skus,
            timeout: .seconds(timeout))
        let runId = String(UInt64(Date().timeIntervalSince1970 * 1000), radix: 36)
        let load = LoadRun(client: client, settings: settings, runId: runId, servicePid: servicePid)
        let skus = try await load.prepareCatalog()
        let result = try await load.run(skus: skus)
        let report = Report(settings: settings, result: result, memory: servicePid.flatMap(ProcessMemory.init(pid:)))
        print(report.markdown)
    }
}

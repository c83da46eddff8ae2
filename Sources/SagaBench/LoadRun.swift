import AsyncHTTPClient
import Foundation
import Histogram
import NIOHTTP1

/// One benchmark run: N orders placed at a given concurrency, measured until every saga is terminal.
struct LoadRun: Sendable {
    struct Settings: Sendable {
        var orders: Int
        var concurrency: Int
        var token: String
        var itemsPerOrder: Int
        var catalogSize: Int
        var timeout: Duration
    }

    /// What the run measured.
    struct Result {
        var placed = 0
        var placementErrors: [Int: Int] = [:]
        var placementLatency = Histogram<UInt64>(numberOfSignificantValueDigits: .three)
        var sagaLatency = Histogram<UInt64>(numberOfSignificantValueDigits: .three)
        var statuses: [String: Int] = [:]
        var placementSeconds = 0.0
        var totalSeconds = 0.0
        var historyAppends = 0.0
        var historyWrites = 0.0
        var httpRequests = 0.0
        var databaseOperations = 0.0
        var serviceCPUSeconds: Double?
    }

    let client: BenchClient
    let settings: Settings
    let runId: String
    /// The service's pid, to measure its CPU time.
    let servicePid: Int?

    /// Puts the run's products in the catalog (`catalogSize` of them, at least one per item of an order) with stock
    /// for every order.
    func prepareCatalog() async throws -> [String] {
        let skus = (0..<max(1, settings.catalogSize, settings.itemsPerOrder)).map { "BENCH-\(runId)-\($0)" }
        for sku in skus {
            let body =
                #"{"sku":"\#(sku)","name":"Bench item","price":{"amount":"9.99","currency":"USD"},"stock":\#(settings.orders * 2)}"#
            let (status, data) = try await client.send(.POST, "/v1/products", json: body)
            guard status == 200 else {
                throw BenchError("could not create \(sku): \(status) \(String(decoding: data, as: UTF8.self))")
            }
        }
        return skus
    }

    /// Places every order, waits for every saga to end, and measures.
    func run(skus: [String]) async throws -> Result {
        var result = Result()
        let before = try await client.metrics()
        let cpuBefore = servicePid.flatMap(ProcessMemory.cpuSeconds(pid:))
        let clock = ContinuousClock()
        let start = clock.now
        let baseline = try await terminalCount()
        let placements = try await place(skus: skus)
        result.placementSeconds = (clock.now - start).seconds
        var orderIds: [String] = []
        for placement in placements {
            switch placement {
            case .success(let orderId, let latency):
                orderIds.append(orderId)
                _ = result.placementLatency.record(latency)
            case .failure(let status):
                result.placementErrors[status, default: 0] += 1
            }
        }
        result.placed = orderIds.count
        try await waitForTerminal(count: baseline + orderIds.count, deadline: start + settings.timeout)
        result.totalSeconds = (clock.now - start).seconds
        for orderId in orderIds {
            let (_, body) = try await client.send(.GET, "/v1/orders/\(orderId)/saga")
            let saga = BenchClient.object(body)
            result.statuses[saga["status"] as? String ?? "?", default: 0] += 1
            if let started = Self.date(saga["startedAt"]), let updated = Self.date(saga["updatedAt"]) {
                _ = result.sagaLatency.record(UInt64(max(0, updated.timeIntervalSince(started)) * 1_000_000))
            }
        }
        let after = try await client.metrics()
        result.historyAppends = after["saga_history_appends_total"] - before["saga_history_appends_total"]
        result.historyWrites = after["saga_history_append_writes_total"] - before["saga_history_append_writes_total"]
        result.httpRequests = after["http_requests_total"] - before["http_requests_total"]
        result.databaseOperations = after["mongo_operations_total"] - before["mongo_operations_total"]
        if let cpuBefore, let cpuAfter = servicePid.flatMap(ProcessMemory.cpuSeconds(pid:)) {
            result.serviceCPUSeconds = cpuAfter - cpuBefore
        }
        return result
    }

    enum Placement {
        case success(orderId: String, latencyMicros: UInt64)
        case failure(status: Int)
    }

    /// Places the orders, `concurrency` at a time; each order takes `itemsPerOrder` distinct SKUs from the catalog.
    private func place(skus: [String]) async throws -> [Placement] {
        let token = settings.token
        let itemsPerOrder = settings.itemsPerOrder
        let body: @Sendable (Int) -> String = { index in
            var generator = SplitMix(seed: UInt64(index))
            let chosen = skus.shuffled(using: &generator).prefix(itemsPerOrder)
            let items = chosen.map { #"{"sku":"\#($0)","quantity":1}"# }.joined(separator: ",")
            return
                #"{"customerId":"bench-\#(index % 97)","items":[\#(items)],"paymentToken":"\#(token)","shippingAddress":{"name":"Bench","line1":"1 Main St","city":"Springfield","postalCode":"12345","country":"US"}}"#
        }
        return try await withThrowingTaskGroup(of: [Placement].self) { group in
            // Worker w places orders w, w + concurrency, w + 2 × concurrency, …: any order count, any concurrency.
            for worker in 0..<min(settings.concurrency, settings.orders) {
                let indices = stride(from: worker, to: settings.orders, by: settings.concurrency)
                group.addTask {
                    var placements: [Placement] = []
                    for index in indices {
                        let started = ContinuousClock.now
                        let (status, data) = try await client.send(
                            .POST, "/v1/orders", json: body(index), headers: [("Idempotency-Key", "\(runId)-\(index)")])
                        let micros = UInt64((ContinuousClock.now - started).seconds * 1_000_000)
                        if status == 202, let orderId = BenchClient.object(data)["orderId"] as? String {
                            placements.append(.success(orderId: orderId, latencyMicros: micros))
                        } else {
                            placements.append(.failure(status: status))
                        }
                    }
                    return placements
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
    }

    /// How many sagas are terminal now (`GET /v1/sagas/stats`).
    private func terminalCount() async throws -> Int {
        let (_, body) = try await client.send(.GET, "/v1/sagas/stats")
        let counts = BenchClient.object(body)["counts"] as? [String: Int] ?? [:]
        return ["COMPLETED", "COMPENSATED", "CANCELLED", "REFUNDED"].reduce(0) { $0 + (counts[$1] ?? 0) }
    }

    /// Waits, one stats request per poll, until `count` sagas are terminal.
    private func waitForTerminal(count: Int, deadline: ContinuousClock.Instant) async throws {
        while try await terminalCount() < count {
            guard ContinuousClock.now < deadline else {
                throw BenchError("not every saga was terminal before the timeout")
            }
            try await Task.sleep(for: .milliseconds(250))
        }
    }

    static func date(_ value: Any?) -> Date? {
        guard let text = value as? String else { return nil }
        return try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}

/// A small deterministic random generator, so that a run's orders are the same every time.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A benchmark that could not run.
struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension Duration {
    /// This duration in seconds.
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

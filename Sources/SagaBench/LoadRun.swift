import AsyncHTTPClient
import Foundation
import Histogram
import NIOHTTP1
import Synchronization

/// One benchmark run: N orders placed by `concurrency` workers, each placing an order, following its saga's event
/// stream to the end, then placing the next (a closed loop: at most `concurrency` sagas and streams at once); or,
/// open loop, placing as fast as they can and then waiting until every saga is terminal (no streams).
struct LoadRun: Sendable {
    struct Settings: Sendable {
        var orders: Int
        var concurrency: Int
        var token: String
        var itemsPerOrder: Int
        var catalogSize: Int
        var timeout: Duration
        /// The service's business and history databases, to split its commands.
        var businessDatabase = "orders"
        var historyDatabase = "saga_history"
        /// How command monitoring names a `bulkWrite` to both databases (`orders+saga_history`).
        var bothDatabases: String { [businessDatabase, historyDatabase].sorted().joined(separator: "+") }
        /// Completed orders after which to record the service's memory.
        var memoryCheckpoints: [Int] = []
        /// Place without following the sagas (no event streams, no client-side latency), then poll until all end.
        var openLoop = false
    }

    /// What the run measured.
    struct Result {
        var placed = 0
        var placementErrors: [Int: Int] = [:]
        var placementLatency = Histogram<UInt64>(numberOfSignificantValueDigits: .three)
        /// SagaStarted → terminal event, from the server's timestamps.
        var sagaLatency = Histogram<UInt64>(numberOfSignificantValueDigits: .three)
        /// POST sent → terminal event arrived on the event stream, in µs, in order of arrival.
        var clientLatencies: [UInt64] = []
        /// When each saga ended, in seconds since the run began, in order.
        var completionSeconds: [Double] = []
        var statuses: [String: Int] = [:]
        var placementSeconds = 0.0
        var totalSeconds = 0.0
        var historyAppends = 0.0
        var historyWrites = 0.0
        var httpRequests = 0.0
        var databaseOperations = 0.0
        /// Commands the service sent during the run (`mongo_commands_total`), by "database.command".
        var commands: [String: Double] = [:]
        /// The write operations those commands carried (`mongo_write_operations_total`), by "database.command".
        var writeOperations: [String: Double] = [:]
        var serviceCPUSeconds: Double?
        /// The database server's CPU time over the run (user + system), when its pid is known.
        var databaseCPUSeconds: Double?
        /// The most event streams this benchmark held open at once, and the 429s it met opening them.
        var peakStreams = 0
        var streamRefusals = 0
        var memoryCheckpoints: [MemoryCheckpoint] = []
        /// How long `GET /v1/sagas/stats` took, in ms: once before the run (outside its figures), then three times
        /// after them (the first folds the run's changes of status).
        var statsReadsMs: [Double] = []

        /// The client-side latencies as a histogram.
        var clientLatency: Histogram<UInt64> {
            var histogram = Histogram<UInt64>(numberOfSignificantValueDigits: .three)
            for value in clientLatencies { _ = histogram.record(value) }
            return histogram
        }

        /// Commands per placed order, by "database.command", largest first.
        func commandsPerSaga() -> [(name: String, perSaga: Double)] {
            guard placed > 0 else { return [] }
            return commands.map { ($0.key, $0.value / Double(placed)) }.sorted { ($0.1, $1.0) > ($1.1, $0.0) }
        }

        /// Write operations per placed order and per command, by "database.command", largest first.
        func writeOperationsPerSaga() -> [(name: String, perSaga: Double, perCommand: Double)] {
            guard placed > 0 else { return [] }
            return writeOperations.map { name, operations in
                (name, operations / Double(placed), operations / max(commands[name] ?? 0, 1))
            }.sorted { ($0.perSaga, $1.name) > ($1.perSaga, $0.name) }
        }

        /// The sum of the commands sent to `database`.
        func commands(in database: String) -> Double {
            commands.filter { $0.key.hasPrefix(database + ".") }.values.reduce(0, +)
        }

        /// Sagas that ended in each whole second since the run began.
        var completionsPerSecond: [Int] {
            guard let last = completionSeconds.max() else { return [] }
            var buckets = [Int](repeating: 0, count: Int(last) + 1)
            for second in completionSeconds { buckets[Int(second)] += 1 }
            return buckets
        }
    }

    /// The service's memory after a number of completed orders.
    struct MemoryCheckpoint: Codable, Sendable {
        var orders: Int
        var residentMiB: Int
        var peakMiB: Int
    }

    let client: BenchClient
    let settings: Settings
    let runId: String
    /// The service's pid, to measure its CPU time and memory.
    let servicePid: Int?
    /// The database server's pid, to measure its CPU time.
    var databasePid: Int? = nil

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

    /// Places every order, follows every saga to its end, and measures.
    func run(skus: [String]) async throws -> Result {
        var result = Result()
        result.statsReadsMs.append(try await timedStatsRead())
        let before = try await client.metrics()
        let cpuBefore = servicePid.flatMap(ProcessMemory.cpuSeconds(pid:))
        let databaseCPUBefore = databasePid.flatMap(ProcessMemory.cpuSeconds(pid:))
        let clock = ContinuousClock()
        let start = clock.now
        let startDate = Date()
        let baseline = settings.openLoop ? try await terminalCount() : 0
        let progress = RunProgress(start: start, checkpoints: settings.memoryCheckpoints, servicePid: servicePid)
        let sagas = try await placeAndFollow(skus: skus, start: start, progress: progress)
        result.placementSeconds = (clock.now - start).seconds
        var unfollowed: [String] = []
        for saga in sagas {
            switch saga {
            case .failure(let status):
                result.placementErrors[status, default: 0] += 1
            case .placed(let placementMicros, let orderId):
                result.placed += 1
                _ = result.placementLatency.record(placementMicros)
                unfollowed.append(orderId)
            case .ended(let placementMicros, let end, let latencyMicros):
                result.placed += 1
                _ = result.placementLatency.record(placementMicros)
                result.statuses[BenchClient.status(of: end.eventType), default: 0] += 1
                result.streamRefusals += end.refusals
                if let started = end.startedAt, let ended = end.endedAt {
                    _ = result.sagaLatency.record(UInt64(max(0, ended.timeIntervalSince(started)) * 1_000_000))
                }
                if BenchClient.endsMeasurement(end.eventType) { result.clientLatencies.append(latencyMicros) }
            }
        }
        if settings.openLoop {
            try await waitForTerminal(count: baseline + unfollowed.count, deadline: start + settings.timeout)
        }
        result.totalSeconds = (clock.now - start).seconds
        let (completions, peakStreams, checkpoints) = progress.summary
        result.completionSeconds = completions
        result.peakStreams = peakStreams
        result.memoryCheckpoints = checkpoints
        let after = try await client.metrics()
        result.historyAppends = after["saga_history_appends_total"] - before["saga_history_appends_total"]
        result.historyWrites = after["saga_history_append_writes_total"] - before["saga_history_append_writes_total"]
        result.httpRequests = after["http_requests_total"] - before["http_requests_total"]
        result.databaseOperations = after["mongo_operations_total"] - before["mongo_operations_total"]
        result.commands = Self.byDatabaseAndCommand("mongo_commands_total", before: before, after: after)
        result.writeOperations = Self.byDatabaseAndCommand("mongo_write_operations_total", before: before, after: after)
        if let cpuBefore, let cpuAfter = servicePid.flatMap(ProcessMemory.cpuSeconds(pid:)) {
            result.serviceCPUSeconds = cpuAfter - cpuBefore
        }
        if let databaseCPUBefore, let cpuAfter = databasePid.flatMap(ProcessMemory.cpuSeconds(pid:)) {
            result.databaseCPUSeconds = cpuAfter - databaseCPUBefore
        }
        // Open loop: outcomes and server timestamps read once every saga ended, after the figures above.
        for orderId in unfollowed {
            let (_, body) = try await client.send(.GET, "/v1/orders/\(orderId)/saga")
            let saga = BenchClient.object(body)
            result.statuses[saga["status"] as? String ?? "?", default: 0] += 1
            if let started = Self.date(saga["startedAt"]), let updated = Self.date(saga["updatedAt"]) {
                _ = result.sagaLatency.record(UInt64(max(0, updated.timeIntervalSince(started)) * 1_000_000))
                result.completionSeconds.append(max(0, updated.timeIntervalSince(startDate)))
            }
        }
        result.completionSeconds.sort()
        for _ in 0..<3 { result.statsReadsMs.append(try await timedStatsRead()) }
        return result
    }

    /// One `GET /v1/sagas/stats`, timed in milliseconds.
    private func timedStatsRead() async throws -> Double {
        let clock = ContinuousClock()
        let start = clock.now
        let (status, body) = try await client.send(.GET, "/v1/sagas/stats")
        guard status == 200 else {
            throw BenchError("GET /v1/sagas/stats answered \(status): \(String(decoding: body, as: UTF8.self))")
        }
        return (clock.now - start).seconds * 1000
    }

    /// What a counter labelled by database and command grew by between two scrapes, by "database.command".
    private static func byDatabaseAndCommand(_ label: String, before: PrometheusSnapshot, after: PrometheusSnapshot)
        -> [String: Double]
    {
        let earlier = before.series(label)
        var grown: [String: Double] = [:]
        for (labels, value) in after.series(label) {
            let added = value - (earlier[labels] ?? 0)
            guard added > 0 else { continue }
            grown["\(labels["database"] ?? "?").\(labels["command"] ?? "?")", default: 0] += added
        }
        return grown
    }

    /// How many sagas the service has brought to their first terminal status so far, from its
    /// `saga_finished_total` (a refund or a revert is a second entry, not counted): the wait costs the database
    /// nothing, so the run's command mix and the database's CPU time are the sagas' own.
    private func terminalCount() async throws -> Int {
        let finished = try await client.metrics().series("saga_finished_total")
        return Int(
            finished.filter { ["COMPLETED", "COMPENSATED", "CANCELLED"].contains($0.key["status"] ?? "") }.values
                .reduce(0, +))
    }

    /// Waits, one `/metrics` read per poll, until `count` sagas are terminal.
    private func waitForTerminal(count: Int, deadline: ContinuousClock.Instant) async throws {
        while try await terminalCount() < count {
            guard ContinuousClock.now < deadline else {
                throw BenchError("not every saga was terminal before the timeout")
            }
            try await Task.sleep(for: .milliseconds(250))
        }
    }

    enum Saga {
        case ended(placementMicros: UInt64, end: BenchClient.SagaEnd, latencyMicros: UInt64)
        case placed(placementMicros: UInt64, orderId: String)
        case failure(status: Int)
    }

    /// Places the orders, `concurrency` at a time, each worker following its saga to the end before placing its
    /// next; each order takes `itemsPerOrder` distinct SKUs from the catalog.
    private func placeAndFollow(skus: [String], start: ContinuousClock.Instant, progress: RunProgress) async throws
        -> [Saga]
    {
        let token = settings.token
        let itemsPerOrder = settings.itemsPerOrder
        let deadline = start + settings.timeout
        let openLoop = settings.openLoop
        let body: @Sendable (Int) -> String = { index in
            var generator = SplitMix(seed: UInt64(index))
            let chosen = skus.shuffled(using: &generator).prefix(itemsPerOrder)
            let items = chosen.map { #"{"sku":"\#($0)","quantity":1}"# }.joined(separator: ",")
            return
                #"{"customerId":"bench-\#(index % 97)","items":[\#(items)],"paymentToken":"\#(token)","shippingAddress":{"name":"Bench","line1":"1 Main St","city":"Springfield","postalCode":"12345","country":"US"}}"#
        }
        return try await withThrowingTaskGroup(of: [Saga].self) { group in
            // Worker w places orders w, w + concurrency, w + 2 × concurrency, …: any order count, any concurrency.
            for worker in 0..<min(settings.concurrency, settings.orders) {
                let indices = stride(from: worker, to: settings.orders, by: settings.concurrency)
                group.addTask { [client, runId] in
                    var sagas: [Saga] = []
                    for index in indices {
                        let sent = ContinuousClock.now
                        let (status, data) = try await client.send(
                            .POST, "/v1/orders", json: body(index), headers: [("Idempotency-Key", "\(runId)-\(index)")])
                        let placementMicros = (ContinuousClock.now - sent).micros
                        guard status == 202, let orderId = BenchClient.object(data)["orderId"] as? String else {
                            sagas.append(.failure(status: status))
                            continue
                        }
                        if openLoop {
                            sagas.append(.placed(placementMicros: placementMicros, orderId: orderId))
                            continue
                        }
                        progress.streamOpened()
                        let end: BenchClient.SagaEnd
                        do {
                            end = try await client.awaitEnd(orderId: orderId, deadline: deadline)
                        } catch {
                            progress.streamClosed()
                            throw error
                        }
                        progress.streamClosed()
                        progress.completed(at: end.arrived)
                        sagas.append(
                            .ended(
                                placementMicros: placementMicros, end: end, latencyMicros: (end.arrived - sent).micros))
                    }
                    return sagas
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
    }

    static func date(_ value: Any?) -> Date? {
        guard let text = value as? String else { return nil }
        return try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}

/// The run's progress shared by its workers: completion times, open streams, and memory at the checkpoints.
final class RunProgress: Sendable {
    private struct State {
        var completions: [Double] = []
        var streams = 0
        var peakStreams = 0
        var checkpoints: [LoadRun.MemoryCheckpoint] = []
    }

    private let state = Mutex(State())
    private let start: ContinuousClock.Instant
    private let wanted: Set<Int>
    private let servicePid: Int?

    init(start: ContinuousClock.Instant, checkpoints: [Int], servicePid: Int?) {
        self.start = start
        self.wanted = Set(checkpoints)
        self.servicePid = servicePid
    }

    func streamOpened() {
        state.withLock {
            $0.streams += 1
            $0.peakStreams = max($0.peakStreams, $0.streams)
        }
    }

    func streamClosed() { state.withLock { $0.streams -= 1 } }

    /// Records a saga's end; at a checkpoint, the service's memory.
    func completed(at instant: ContinuousClock.Instant) {
        let count = state.withLock {
            $0.completions.append((instant - start).seconds)
            return $0.completions.count
        }
        guard wanted.contains(count), let pid = servicePid, let memory = ProcessMemory(pid: pid) else { return }
        let checkpoint = LoadRun.MemoryCheckpoint(
            orders: count, residentMiB: memory.residentMiB, peakMiB: memory.peakMiB)
        state.withLock { $0.checkpoints.append(checkpoint) }
    }

    /// Completion times in order, the most streams open at once, and the memory checkpoints.
    var summary: ([Double], Int, [LoadRun.MemoryCheckpoint]) {
        state.withLock { ($0.completions.sorted(), $0.peakStreams, $0.checkpoints.sorted { $0.orders < $1.orders }) }
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

    /// This duration in whole microseconds (0 when negative).
    var micros: UInt64 { UInt64(max(0, seconds * 1_000_000)) }
}

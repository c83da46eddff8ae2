import Foundation
import Histogram

/// A benchmark result as JSON (`--json`): every figure of the reports, the raw per-saga latencies and the
/// completions per second, for `Scripts/bench/plot.py` and for `saga-bench ceiling --mix-from`.
struct ResultFile: Codable {
    /// `service` or `ceiling`.
    var mode: String
    /// When the run ended (RFC 3339).
    var date: String
    var service: [ServiceRun]?
    var ceiling: CeilingBench.Figures?

    /// One `saga-bench service` run at one concurrency.
    struct ServiceRun: Codable {
        var orders: Int
        var concurrency: Int
        /// Placed without following the sagas (no event streams, no client-side latencies).
        var openLoop: Bool
        var placementSeconds: Double
        var token: String
        var itemsPerOrder: Int
        var catalogSize: Int
        var businessDatabase: String
        var historyDatabase: String
        var placed: Int
        var placementErrors: [String: Int]
        var outcomes: [String: Int]
        var seconds: Double
        var sagasPerSecond: Double
        /// p50, p90, p99, max in milliseconds.
        var placementLatencyMs: Percentiles?
        var clientSagaLatencyMs: Percentiles?
        var serverSagaDurationMs: Percentiles?
        /// POST sent → terminal event, per saga, in milliseconds, in order of arrival.
        var clientSagaLatenciesMs: [Double]
        /// Sagas that ended in each second of the run.
        var completionsPerSecond: [Int]
        var peakStreams: Int
        var streamRefusals: Int
        var historyAppendsPerSaga: Double?
        var historyWritesPerSaga: Double?
        var roundTripsPerSaga: Double?
        var businessCommandsPerSaga: Double?
        var historyCommandsPerSaga: Double?
        /// Commands to both databases at once (a step's writes with its record in one `bulkWrite`).
        var bothCommandsPerSaga: Double?
        var commandsPerSaga: Double?
        /// Commands per saga by "database.command".
        var commandMix: [String: Double]
        /// Write operations per saga by "database.command" (an update command carrying 4 statements counts 4).
        var writeOperationMix: [String: Double]?
        var serviceCPUMsPerSaga: Double?
        /// The database server's CPU time per saga, and as a share of one core over the run.
        var databaseCPUMsPerSaga: Double?
        var databaseCoreShare: Double?
        var memoryCheckpoints: [LoadRun.MemoryCheckpoint]
        /// `GET /v1/sagas/stats` in ms: once before the run, three times after it.
        var statsReadsMs: [Double]
        var residentMiB: Int?
        var peakMiB: Int?
    }

    /// p50, p90, p99 and max of a histogram of microseconds, in milliseconds.
    struct Percentiles: Codable {
        var p50: Double
        var p90: Double
        var p99: Double
        var max: Double

        init?(_ histogram: Histogram<UInt64>) {
            guard histogram.totalCount > 0 else { return nil }
            p50 = Double(histogram.valueAtPercentile(50)) / 1000
            p90 = Double(histogram.valueAtPercentile(90)) / 1000
            p99 = Double(histogram.valueAtPercentile(99)) / 1000
            max = Double(histogram.max) / 1000
        }
    }

    /// Writes the file, pretty-printed with sorted keys.
    func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: URL(fileURLWithPath: path))
    }

    /// Reads a file `write(to:)` wrote.
    static func read(from path: String) throws -> ResultFile {
        try JSONDecoder().decode(ResultFile.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    static var now: String { Date().formatted(.iso8601) }
}

extension Report {
    /// This run as a JSON record.
    var record: ResultFile.ServiceRun {
        let r = result
        let placed = Double(r.placed)
        let perSaga: (Double) -> Double? = { r.placed > 0 ? $0 / placed : nil }
        return ResultFile.ServiceRun(
            orders: settings.orders, concurrency: settings.concurrency, openLoop: settings.openLoop,
            placementSeconds: r.placementSeconds, token: settings.token,
            itemsPerOrder: settings.itemsPerOrder, catalogSize: settings.catalogSize,
            businessDatabase: settings.businessDatabase, historyDatabase: settings.historyDatabase,
            placed: r.placed,
            placementErrors: Dictionary(uniqueKeysWithValues: r.placementErrors.map { ("\($0.key)", $0.value) }),
            outcomes: r.statuses, seconds: r.totalSeconds, sagasPerSecond: placed / max(r.totalSeconds, 0.001),
            placementLatencyMs: ResultFile.Percentiles(r.placementLatency),
            clientSagaLatencyMs: ResultFile.Percentiles(r.clientLatency),
            serverSagaDurationMs: ResultFile.Percentiles(r.sagaLatency),
            clientSagaLatenciesMs: r.clientLatencies.map { Double($0) / 1000 },
            completionsPerSecond: r.completionsPerSecond, peakStreams: r.peakStreams, streamRefusals: r.streamRefusals,
            historyAppendsPerSaga: perSaga(r.historyAppends), historyWritesPerSaga: perSaga(r.historyWrites),
            roundTripsPerSaga: perSaga(r.databaseOperations),
            businessCommandsPerSaga: r.commands.isEmpty ? nil : perSaga(r.commands(in: settings.businessDatabase)),
            historyCommandsPerSaga: r.commands.isEmpty ? nil : perSaga(r.commands(in: settings.historyDatabase)),
            bothCommandsPerSaga: r.commands.isEmpty ? nil : perSaga(r.commands(in: settings.bothDatabases)),
            commandsPerSaga: r.commands.isEmpty ? nil : perSaga(r.commands.values.reduce(0, +)),
            commandMix: Dictionary(uniqueKeysWithValues: r.commandsPerSaga().map { ($0.name, $0.perSaga) }),
            writeOperationMix: Dictionary(
                uniqueKeysWithValues: r.writeOperationsPerSaga().map { ($0.name, $0.perSaga) }),
            serviceCPUMsPerSaga: r.serviceCPUSeconds.flatMap { cpu in perSaga(cpu * 1000) },
            databaseCPUMsPerSaga: r.databaseCPUSeconds.flatMap { cpu in perSaga(cpu * 1000) },
            databaseCoreShare: r.databaseCPUSeconds.map { $0 / max(r.totalSeconds, 0.001) },
            memoryCheckpoints: r.memoryCheckpoints, statsReadsMs: r.statsReadsMs, residentMiB: memory?.residentMiB,
            peakMiB: memory?.peakMiB)
    }
}

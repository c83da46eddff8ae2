import Foundation
import Glibc
import Histogram

/// The benchmark's report: a Markdown table of throughput, latencies, store writes and memory.
struct Report {
    let settings: LoadRun.Settings
    let result: LoadRun.Result
    let memory: ProcessMemory?

    var markdown: String {
        let r = result
        var lines: [String] = []
        lines.append("| measure | value |")
        lines.append("| --- | --- |")
        lines.append(
            "| orders placed / asked | \(r.placed) / \(settings.orders) (concurrency \(settings.concurrency), \(settings.openLoop ? "open loop: placed without following the sagas" : "closed loop: each worker follows its saga to the end before the next order"); token \(settings.token), \(settings.itemsPerOrder) item(s) each from \(settings.catalogSize) products) |"
        )
        if !r.placementErrors.isEmpty {
            lines.append(
                "| placement errors | \(r.placementErrors.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")) |"
            )
        }
        lines.append(
            "| outcomes | \(r.statuses.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")) |"
        )
        if settings.openLoop {
            lines.append(
                "| placement throughput | \(format(Double(r.placed) / max(r.placementSeconds, 0.001))) orders/s |")
        }
        lines.append(
            "| end-to-end throughput (first POST → last terminal event) | \(format(Double(r.placed) / max(r.totalSeconds, 0.001))) sagas/s over \(format(r.totalSeconds)) s |"
        )
        lines.append("| `POST /v1/orders` latency p50 / p90 / p99 / max | \(percentiles(r.placementLatency)) |")
        lines.append(
            "| saga latency, client-side (POST sent → terminal event on the stream) p50 / p90 / p99 / max | \(percentiles(r.clientLatency)) |"
        )
        lines.append(
            "| saga duration, server timestamps (SagaStarted → terminal) p50 / p90 / p99 / max | \(percentiles(r.sagaLatency)) |"
        )
        lines.append(
            "| event streams open at once, most / 429s met | \(r.peakStreams) (bound: \(settings.concurrency)) / \(r.streamRefusals) |"
        )
        if r.placed > 0 {
            let placed = Double(r.placed)
            lines.append("| history appends per saga | \(format(r.historyAppends / placed)) |")
            lines.append(
                "| history bulk writes per saga (group commit) | \(format(r.historyWrites / placed)) (\(format(r.historyAppends / max(r.historyWrites, 1))) appends per write) |"
            )
            lines.append(
                "| database operations (round trips) per saga, placement included | \(format(r.databaseOperations / placed)) |"
            )
            if !r.commands.isEmpty {
                let business = r.commands(in: settings.businessDatabase) / placed
                let history = r.commands(in: settings.historyDatabase) / placed
                let both = r.commands(in: settings.bothDatabases) / placed
                let all = r.commands.values.reduce(0, +) / placed
                lines.append(
                    "| commands per saga (command monitoring): business `\(settings.businessDatabase)` / history `\(settings.historyDatabase)` / both in one `bulkWrite` / all | \(format(business)) / \(format(history)) / \(format(both)) / \(format(all)) |"
                )
                lines.append(
                    "| commands per saga by database.command | \(r.commandsPerSaga().filter { $0.perSaga >= 0.005 }.map { "\($0.name) \(format($0.perSaga))" }.joined(separator: ", ")) |"
                )
            }
            if !r.writeOperations.isEmpty {
                lines.append(
                    "| write operations per saga (per command) by database.command | \(r.writeOperationsPerSaga().map { "\($0.name) \(format($0.perSaga)) (\(format($0.perCommand)))" }.joined(separator: ", ")) |"
                )
            }
            if let cpu = r.serviceCPUSeconds {
                lines.append(
                    "| service CPU time per saga | \(format(cpu * 1000 / placed)) ms (\(format(cpu)) s in all) |"
                )
            }
            if let cpu = r.databaseCPUSeconds {
                lines.append(
                    "| database server CPU time per saga | \(format(cpu * 1000 / placed)) ms (\(format(cpu)) s in all: \(format(100 * cpu / max(r.totalSeconds, 0.001))) % of one core over the run) |"
                )
            }
            lines.append("| HTTP requests served during the run | \(Int(r.httpRequests)) |")
        }
        if let first = r.statsReadsMs.first {
            lines.append(
                "| `GET /v1/sagas/stats`: before the run / after it (the first folds the run's changes) | \(format(first)) ms / \(r.statsReadsMs.dropFirst().map { "\(format($0)) ms" }.joined(separator: ", ")) |"
            )
        }
        for checkpoint in r.memoryCheckpoints {
            lines.append(
                "| service memory after \(checkpoint.orders) orders: resident / peak | \(checkpoint.residentMiB) MiB / \(checkpoint.peakMiB) MiB |"
            )
        }
        if let memory {
            lines.append("| service memory: resident now / peak | \(memory.residentMiB) MiB / \(memory.peakMiB) MiB |")
        }
        return lines.joined(separator: "\n")
    }

    private func percentiles(_ histogram: Histogram<UInt64>) -> String {
        guard histogram.totalCount > 0 else { return "–" }
        let values = [50.0, 90.0, 99.0].map { histogram.valueAtPercentile($0) } + [histogram.max]
        return values.map { "\(format(Double($0) / 1000)) ms" }.joined(separator: " / ")
    }

    private func format(_ value: Double) -> String { String(format: value < 10 ? "%.2f" : "%.1f", value) }
}

/// A process's resident memory, from `/proc/<pid>/status`.
struct ProcessMemory {
    let residentMiB: Int
    let peakMiB: Int

    init?(pid: Int) {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        func kilobytes(_ field: String) -> Int? {
            status.split(separator: "\n").first { $0.hasPrefix(field + ":") }
                .flatMap { $0.split(separator: " ").dropFirst().first.flatMap { Int($0) } }
        }
        guard let resident = kilobytes("VmRSS"), let peak = kilobytes("VmHWM") else { return nil }
        residentMiB = resident / 1024
        peakMiB = peak / 1024
    }

    /// The process's CPU time so far (user + system), from `/proc/<pid>/stat`.
    static func cpuSeconds(pid: Int) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let afterName = stat.range(of: ") ")
        else { return nil }
        // Fields after the command name, starting at field 3 (state); utime and stime are fields 14 and 15.
        let fields = stat[afterName.upperBound...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}

import AllocationCounter
import ArgumentParser
import Foundation
import Glibc
import SagaKit
import Synchronization

/// Runs SagaKit alone on its in-memory store: as many sagas of four no-op steps (or, with `--compensate`, of three
/// steps and a failing fourth that compensates the three) as it can for a fixed time, and reports sagas per
/// second, CPU and heap allocations per saga.
struct EngineBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine", abstract: "Measures the saga engine alone on its in-memory store.")

    @Option(help: "How long to run, in seconds.") var seconds = 10
    @Option(help: "Sagas in flight at once.") var inFlight = 1024
    @Flag(help: "Run sagas whose last step fails and compensates the three before it.") var compensate = false

    struct Nothing: Codable, Sendable {}

    func run() async throws {
        let finished = Completions()
        let definition = Self.definition(compensate: compensate, finished: finished)
        let registry = SagaRegistry()
        try registry.register(definition)
        let store = InMemoryHistoryStore()
        let engine = SagaEngine(
            store: store, registry: registry,
            configuration: SagaEngine.Configuration(instanceId: "bench", maxConcurrentSagas: inFlight))
        let scheduler = Task { try await engine.run() }
        let cpuBefore = Self.cpuSeconds()
        let allocationsBefore = allocation_count()
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(seconds)
        let started = clock.now
        let ids = SagaIds()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<inFlight {
                group.addTask {
                    while clock.now < deadline {
                        let id = ids.next()
                        try await finished.wait(for: id) {
                            _ = try await engine.start(definition, sagaId: id, input: Nothing())
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let elapsed = (clock.now - started).seconds
        let cpu = Self.cpuSeconds() - cpuBefore
        let allocations = allocation_count() - allocationsBefore
        await engine.shutdown()
        scheduler.cancel()
        let sagas = finished.count
        print("| measure | value |")
        print("| --- | --- |")
        print("| saga | \(compensate ? "3 steps, a 4th that fails, 3 compensations" : "4 no-op steps") |")
        print("| sagas finished | \(sagas) in \(String(format: "%.1f", elapsed)) s, \(inFlight) in flight |")
        print("| throughput | \(String(format: "%.0f", Double(sagas) / elapsed)) sagas/s |")
        print(
            "| CPU per saga | \(String(format: "%.1f", cpu / Double(max(1, sagas)) * 1e6)) µs (\(String(format: "%.1f", cpu)) s on \(ProcessInfo.processInfo.activeProcessorCount) cores) |"
        )
        print("| heap allocations per saga | \(String(format: "%.0f", Double(allocations) / Double(max(1, sagas)))) |")
    }

    static func definition(compensate: Bool, finished: Completions) -> SagaDefinition<Nothing> {
        SagaDefinition(name: "bench", version: 1) {
            for name in ["A", "B", "C"] {
                ActionStep<Nothing>(name, retryPolicy: .never) { _ in Nothing() }
                    .compensate("undo\(name)", retryPolicy: .never) { context in
                        if name == "A" { finished.finish(context.sagaId) }
                    }
            }
            ActionStep<Nothing>("D", retryPolicy: .never) { context in
                if compensate { throw StepError.nonRetryable(kind: "Bench", message: "compensate") }
                finished.finish(context.sagaId)
                return Nothing()
            }
        }
    }

    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }
}

/// Fresh saga ids.
final class SagaIds: Sendable {
    private let issued = Atomic<Int>(0)

    func next() -> String { "b-\(issued.add(1, ordering: .relaxed).newValue)" }
}

/// Sagas that reached their last effect, and the workers waiting for them.
final class Completions: Sendable {
    private let state = Mutex<(count: Int, waiting: [String: CheckedContinuation<Void, Never>], early: Set<String>)>(
        (0, [:], []))

    var count: Int { state.withLock { $0.count } }

    /// Runs `start` and waits until saga `id` finishes.
    func wait(for id: String, start: () async throws -> Void) async throws {
        try await start()
        await withCheckedContinuation { continuation in
            let done = state.withLock { state -> Bool in
                if state.early.remove(id) != nil { return true }
                state.waiting[id] = continuation
                return false
            }
            if done { continuation.resume() }
        }
    }

    /// Records that saga `id` finished.
    func finish(_ id: String) {
        let continuation = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.count += 1
            guard let continuation = state.waiting.removeValue(forKey: id) else {
                state.early.insert(id)
                return nil
            }
            return continuation
        }
        continuation?.resume()
    }
}

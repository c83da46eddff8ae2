import Foundation
import Logging
import SagaKit

/// Builds what a saga test needs: a ``TestClock``, a store (in memory unless given), a registry, and engines
/// on them; and awaits conditions on stored sagas with a bounded real-time timeout.
///
/// ```swift
/// let harness = SagaTestHarness()
/// try harness.registry.register(definition)
/// let engine = harness.startEngine()
/// _ = try await engine.engine.start(definition, sagaId: "s-1", input: input)
/// let record = try await harness.waitForStatus("s-1", .completed)
/// await engine.stop()
/// ```
public struct SagaTestHarness: Sendable {
    /// The clock every engine of this harness uses.
    public let clock: TestClock
    /// The store every engine of this harness uses.
    public let store: any HistoryStore
    /// The registry every engine of this harness uses.
    public let registry: SagaRegistry
    /// The fault-injecting store around the in-memory one, when the harness made them.
    public let faults: FaultInjectingHistoryStore?

    /// Creates a harness on `store` (an ``InMemoryHistoryStore`` on `clock`, with faults injectable, when `nil`).
    public init(
        store: (any HistoryStore)? = nil, clock: TestClock = TestClock(), registry: SagaRegistry = SagaRegistry()
    ) {
        self.clock = clock
        self.registry = registry
        if let store {
            self.store = store
            self.faults = store as? FaultInjectingHistoryStore
        } else {
            let faults = FaultInjectingHistoryStore(wrapping: InMemoryHistoryStore(clock: clock))
            self.store = faults
            self.faults = faults
        }
    }

    /// A configuration on this harness's clock with a seeded jitter source.
    public func configuration(
        instanceId: String = "engine-1",
        leaseDuration: Duration = .seconds(30),
        pollInterval: Duration = .seconds(1),
        maxConcurrentSagas: Int = 64,
        seed: UInt64 = 1
    ) -> SagaEngine.Configuration {
        SagaEngine.Configuration(
            instanceId: instanceId,
            leaseDuration: leaseDuration,
            pollInterval: pollInterval,
            maxConcurrentSagas: maxConcurrentSagas,
            shutdownGracePeriod: .seconds(10),
            storeRetryLimit: 3,
            clock: clock,
            jitter: JitterSource(seed: seed)
        )
    }

    /// An engine on this harness's clock and, unless others are given, its store and registry (its scheduler not running).
    public func makeEngine(
        _ configuration: SagaEngine.Configuration? = nil,
        store: (any HistoryStore)? = nil,
        registry: SagaRegistry? = nil
    ) -> SagaEngine {
        var logger = Logger(label: "saga-test")
        logger.logLevel = .critical
        return SagaEngine(
            store: store ?? self.store,
            registry: registry ?? self.registry,
            configuration: configuration ?? self.configuration(),
            logger: logger
        )
    }

    /// An engine with its scheduler running in a background task.
    public func startEngine(_ configuration: SagaEngine.Configuration? = nil, store: (any HistoryStore)? = nil)
        -> RunningSagaEngine
    {
        let engine = makeEngine(configuration, store: store)
        return RunningSagaEngine(engine: engine, task: Task { try await engine.run() })
    }

    /// The stored saga once `predicate` holds for it; throws ``SagaTestTimeout`` after `timeout` of real time.
    @discardableResult
    public func waitFor(
        _ sagaId: String,
        timeout: Duration = .seconds(5),
        _ description: String = "condition",
        until predicate: @Sendable (SagaRecord) -> Bool
    ) async throws -> SagaRecord {
        let limit = ContinuousClock.now.advanced(by: timeout)
        var last: SagaRecord?
        while ContinuousClock.now < limit {
            last = try await store.load(sagaId: sagaId)
            if let last, predicate(last) { return last }
            try await Task.sleep(for: .milliseconds(2))
        }
        throw SagaTestTimeout(sagaId: sagaId, waitingFor: description, last: last)
    }

    /// The stored saga once its status is `status`.
    @discardableResult
    public func waitForStatus(_ sagaId: String, _ status: SagaStatus, timeout: Duration = .seconds(5)) async throws
        -> SagaRecord
    {
        try await waitFor(sagaId, timeout: timeout, "status \(status.rawValue)") { $0.status == status }
    }

    /// The stored saga once its history holds at least `count` events of `type`.
    @discardableResult
    public func waitForEvent(
        _ sagaId: String,
        _ type: HistoryEvent.EventType,
        count: Int = 1,
        timeout: Duration = .seconds(5)
    ) async throws -> SagaRecord {
        try await waitFor(sagaId, timeout: timeout, "\(count) × \(type.rawValue)") { record in
            record.events.filter { $0.type == type.rawValue }.count >= count
        }
    }

    /// The stored saga once it is parked: no lease held and a due time (or none) recorded after `type`.
    @discardableResult
    public func waitForParked(
        _ sagaId: String, after type: HistoryEvent.EventType, count: Int = 1, timeout: Duration = .seconds(5)
    ) async throws -> SagaRecord {
        try await waitFor(sagaId, timeout: timeout, "parked after \(count) × \(type.rawValue)") { record in
            record.leaseOwner == nil && record.events.filter { $0.type == type.rawValue }.count >= count
        }
    }
}

/// An engine whose scheduler runs in a background task.
public struct RunningSagaEngine: Sendable {
    /// The engine.
    public let engine: SagaEngine
    /// The task running ``SagaEngine/run()``.
    public let task: Task<Void, any Error>

    /// Shuts the engine down gracefully and waits for its scheduler to end.
    public func stop() async {
        await engine.shutdown()
        task.cancel()
        _ = await task.result
    }

    /// Hard-stops the engine (``SagaEngine/simulateCrash()``) and waits for its scheduler to end.
    public func crash() async {
        await engine.simulateCrash()
        task.cancel()
        _ = await task.result
    }
}

/// A harness wait that ran out of time.
public struct SagaTestTimeout: Error, CustomStringConvertible {
    /// The saga waited on.
    public let sagaId: String
    /// What was awaited.
    public let waitingFor: String
    /// The saga as last seen.
    public let last: SagaRecord?

    /// What was awaited and what was seen.
    public var description: String {
        let seen =
            last.map { record in
                "\(record.status.rawValue), events: "
                    + record.events.map { "\($0.seq):\($0.type)\($0.step.map { "(\($0))" } ?? "")" }.joined(
                        separator: " ")
            } ?? "no saga"
        return "timed out waiting for \(waitingFor) on \(sagaId); last seen \(seen)"
    }
}

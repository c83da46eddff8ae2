import Foundation
import Logging

/// The durable saga executor: starts sagas, runs their steps, retries, timers, waits and compensations,
/// and recovers sagas other executors left behind.
///
/// Every decision is recorded in the ``HistoryStore`` before it takes effect, and a saga is only ever
/// driven by the executor holding its lease, so a crash at any moment resumes from the history without
/// repeating a recorded step. A ready step runs at once in process; polling is only for recovery.
///
/// ```swift
/// let engine = SagaEngine(store: store, registry: registry, configuration: .init(instanceId: "api-1"), logger: logger)
/// let runTask = Task { try await engine.run() }           // timers, recovery, lease renewal
/// _ = try await engine.start(orderSaga, sagaId: "order-42", input: order)
/// _ = try await engine.signal(sagaId: "order-42", name: "approve")
/// await engine.shutdown()
/// ```
///
/// Store round trips on the happy path: 1 for ``start(_:sagaId:input:)`` (SagaStarted together with the first
/// step's StepScheduled/StepStarted) and 1 per action step (its StepCompleted together with the next step's
/// StepScheduled/StepStarted; the last one together with SagaCompleted and the lease release). A saga of four
/// action steps costs 5 round trips, with no extra lease call.
public actor SagaEngine {
    /// How this engine runs.
    public nonisolated let configuration: Configuration
    nonisolated let store: any HistoryStore
    nonisolated let registry: SagaRegistry
    nonisolated let logger: Logger
    nonisolated let leases = LeaseBook()
    nonisolated let lifecycle = EngineLifecycle()
    nonisolated let metrics: EngineMetrics
    /// Every attempt's timeout, and the shutdown's grace period, on one sleeping task.
    nonisolated let deadlines: DeadlineTimer
    /// Spans for sagas and attempts, when a tracer was bootstrapped before the engine was made.
    nonisolated let tracing = SagaTracing()

    struct HeldSaga {
        let token: Int
        var task: Task<Void, Never>?
    }

    /// The last token handed to a held saga (tells a runner's exit from a later runner's).
    var lastToken = 0

    /// A token no held saga had before.
    func nextToken() -> Int {
        lastToken += 1
        return lastToken
    }

    /// Sagas this executor holds (or is acquiring), by id.
    var held: [String: HeldSaga] = [:]
    /// Slots taken by ``start(_:sagaId:input:)`` calls in progress.
    var startReservations = 0
    /// Ids being started, with the starts waiting behind them.
    var starting: [String: [CheckedContinuation<Void, Never>]] = [:]
    /// Sagas started while every slot was taken, recorded without a lease; claimed in order as slots free up.
    var queuedStarts: [SagaRecord] = []
    /// Sagas to look at again as soon as their runner lets go (a signal arrived meanwhile).
    var recheck: Set<String> = []
    /// Sagas left alone until the given time (they cannot run here).
    var quarantine: [String: Date] = [:]
    /// Due times of sagas this executor parked.
    var timers = TimerHeap<String>()
    /// The scheduler's sleep until the earliest timer, cancelled when an earlier one arrives.
    var timerSleep: (task: Task<Void, Never>, until: Date)?
    /// The scheduler loops while ``run()`` runs.
    var loopsTask: Task<Void, Never>?
    /// The graceful shutdown once begun; every caller of ``shutdown()`` waits for this one.
    var shutdownTask: Task<Void, Never>?

    /// Creates an engine; call ``run()`` to start its scheduler.
    public init(
        store: any HistoryStore,
        registry: SagaRegistry,
        configuration: Configuration = Configuration(),
        logger: Logger = Logger(label: "saga-engine")
    ) {
        self.store = store
        self.registry = registry
        self.configuration = configuration
        var logger = SagaLogContext.adding(to: logger)
        logger[metadataKey: "instance"] = "\(configuration.instanceId)"
        self.logger = logger
        self.metrics = EngineMetrics(instanceId: configuration.instanceId, statusName: configuration.statusName)
        self.deadlines = DeadlineTimer(clock: configuration.clock)
    }

    nonisolated var clock: any SagaClock { configuration.clock }

    /// How many sagas this executor holds right now.
    public var heldCount: Int { held.count }

    /// Whether the engine takes new work (false once a shutdown or crash began).
    public nonisolated var isAcceptingWork: Bool { !lifecycle.isStopping }

    // MARK: Starting

    /// Starts a saga of a registered definition, or reports the existing saga with this id.
    ///
    /// Records SagaStarted and the first decisions in one store call, with this executor's lease, then runs
    /// the first step at once in process. Starting the same id twice creates one saga and reports the first.
    public nonisolated func start<Input: Codable & Sendable>(
        _ definition: SagaDefinition<Input>,
        sagaId: String,
        input: Input
    ) async throws -> SagaStartOutcome {
        let inputJSON: JSONValue
        do {
            inputJSON = try JSONValue(encoding: input)
        } catch {
            throw SagaEngineError.invalidInput("\(error)")
        }
        return try await start(
            definitionName: definition.name, version: definition.version, sagaId: sagaId, input: inputJSON)
    }

    /// Starts a saga of the registered definition `definitionName` at `version` (the latest when `nil`) with a JSON input.
    ///
    /// What needs no engine state (binding the input, the first decision) is worked out before the engine's turn,
    /// so that concurrent starts share the cores rather than queue on the engine.
    public nonisolated func start(definitionName: String, version: Int? = nil, sagaId: String, input: JSONValue)
        async throws -> SagaStartOutcome
    {
        let found =
            version.map { registry.definition(name: definitionName, version: $0) } ?? registry.latest(definitionName)
        guard let definition = found else {
            throw SagaEngineError.definitionNotRegistered(name: definitionName, version: version ?? 0)
        }
        let saga: BoundSaga
        do {
            saga = try definition.bind(input: input)
        } catch {
            throw SagaEngineError.invalidInput("\(error)")
        }
        let plan = try StartPlan(
            definition: definition, saga: saga, sagaId: sagaId, input: input,
            now: SagaTime.truncated(clock.now), tracing: tracing, configuration: configuration)
        return try await begin(plan)
    }

    /// Starts `plan`'s saga once no other start of its id is in progress: run here when a slot is free, queued
    /// otherwise. A plan that waited for another start of its id is worked out again, so that its time and lease
    /// are not older than the write that records them.
    private func begin(_ plan: StartPlan) async throws -> SagaStartOutcome {
        var plan = plan
        let sagaId = plan.request.sagaId
        var waited = false
        while starting[sagaId] != nil {
            waited = true
            await withCheckedContinuation { starting[sagaId, default: []].append($0) }
        }
        if waited { plan = try plan.redone(now: SagaTime.truncated(clock.now)) }
        starting[sagaId] = []
        defer {
            for waiter in starting.removeValue(forKey: sagaId) ?? [] { waiter.resume() }
        }
        guard !lifecycle.isStopping else { throw SagaEngineError.shuttingDown }
        guard freeSlots > 0 else {
            return try await createQueued(plan)
        }
        startReservations += 1
        defer {
            startReservations -= 1
            freeSlot()
        }
        return try await createAndRun(plan)
    }

    /// Records a saga started while every slot is taken: SagaStarted alone, no lease, due at once.
    ///
    /// The caller learns at once that the saga is durable; this engine claims it when a slot frees up (and any
    /// engine's due-saga poll may take it first). Only SagaStarted is recorded: a first step recorded as started
    /// without anyone holding the saga would later read as an interrupted attempt.
    private func createQueued(_ plan: StartPlan) async throws -> SagaStartOutcome {
        let outcome = try await store.startSaga(plan.queuedRequest)
        if outcome.isCreated {
            metrics.sagaStarted(definition: plan.request.definitionName)
            // Past the bound the saga is still durable and due: the next poll of any executor claims it.
            if case .created(let record) = outcome, queuedStarts.count < Self.maxQueuedStarts(configuration) {
                queuedStarts.append(record)
            }
            freeSlot()
        }
        return outcome
    }

    private func createAndRun(_ plan: StartPlan) async throws -> SagaStartOutcome {
        let sagaId = plan.request.sagaId
        let outcome = try await store.startSaga(plan.request)
        guard case .created(let record) = outcome else { return outcome }
        metrics.sagaStarted(definition: plan.request.definitionName)
        metrics.record(events: plan.decision.events, definition: plan.request.definitionName)
        if let leaseUntil = plan.leaseUntil {
            if lifecycle.isStopping {
                try? await store.releaseLease(sagaId: sagaId, owner: configuration.instanceId, dueAt: plan.now)
            } else {
                launch(
                    sagaId,
                    .started(
                        record: record, state: plan.decision.state, saga: plan.saga, effect: plan.decision.effect,
                        leaseUntil: leaseUntil))
            }
        } else if case .park(let until?) = plan.decision.effect {
            scheduleTimer(sagaId, at: until)
        }
        return outcome
    }

    // MARK: Slots and runners

    /// A slot may have freed up: claims the next saga queued by ``start`` while every slot was taken.
    func freeSlot() {
        guard freeSlots > 0, !queuedStarts.isEmpty, !lifecycle.isStopping else { return }
        let next = queuedStarts.removeFirst()
        Task { await self.claim(next.id, known: next) }
    }

    var freeSlots: Int { configuration.maxConcurrentSagas - held.count - startReservations }

    /// How many queued starts this engine remembers to claim; the rest wait for a poll.
    static func maxQueuedStarts(_ configuration: Configuration) -> Int { 4 * configuration.maxConcurrentSagas }

    /// Starts a runner task for a saga this executor holds.
    func launch(_ sagaId: String, _ start: RunnerStart, token: Int? = nil) {
        let token = token ?? nextToken()
        let runner = SagaRunner(
            sagaId: sagaId,
            store: store,
            registry: registry,
            configuration: configuration,
            leases: leases,
            lifecycle: lifecycle,
            deadlines: deadlines,
            tracing: tracing,
            metrics: metrics,
            logger: logger
        )
        timers.cancel(sagaId)
        let task = Task.detached {
            let exit = await SagaLogContext.$current.withValue(.init(sagaId: sagaId)) { await runner.drive(start) }
            await self.runnerFinished(sagaId, token: token, exit: exit)
        }
        held[sagaId] = HeldSaga(token: token, task: task)
        metrics.heldSagas(held.count)
    }

    private func runnerFinished(_ sagaId: String, token: Int, exit: RunnerExit) async {
        guard held[sagaId]?.token == token else { return }
        held[sagaId] = nil
        leases.forget(sagaId)
        metrics.heldSagas(held.count)
        freeSlot()
        guard !lifecycle.isStopping else { return }
        switch exit {
        case .parked(let until?):
            scheduleTimer(sagaId, at: until)
        case .unrunnable:
            quarantine[sagaId] = SagaTime.adding(configuration.quarantineInterval, to: clock.now)
        case .parked(nil), .finished, .dropped, .handedOver, .abandoned:
            break
        }
        if recheck.remove(sagaId) != nil, exit != .unrunnable {
            await claim(sagaId)
        }
    }

    /// Takes `sagaId`'s lease and runs it here, unless it is held here already (then it is looked at again
    /// when its runner lets go), left alone, or no slot is free. With `known` (a start this engine queued), the
    /// store may take the lease without reading the saga back.
    func claim(_ sagaId: String, known: SagaRecord? = nil) async {
        guard !lifecycle.isStopping else { return }
        if held[sagaId] != nil || starting[sagaId] != nil {
            recheck.insert(sagaId)
            return
        }
        if let until = quarantine[sagaId] {
            guard until <= clock.now else { return }
            quarantine[sagaId] = nil
        }
        guard freeSlots > 0 else {
            // Another claim took the slot since this one was queued: it stays first in line.
            if let known { queuedStarts.insert(known, at: 0) }
            return
        }
        let token = nextToken()
        held[sagaId] = HeldSaga(token: token, task: nil)
        let now = SagaTime.truncated(clock.now)
        let until = SagaTime.adding(configuration.leaseDuration, to: now)
        let record: SagaRecord?
        do {
            if let known {
                record = try await store.acquireLease(
                    of: known, owner: configuration.instanceId, until: until, now: now)
            } else {
                record = try await store.acquireLease(
                    sagaId: sagaId, owner: configuration.instanceId, until: until, now: now)
            }
        } catch {
            logger.warning("could not acquire a lease", metadata: ["sagaId": "\(sagaId)", "error": "\(error)"])
            record = nil
        }
        guard let record, !lifecycle.isStopping else {
            if held[sagaId]?.token == token { held[sagaId] = nil }
            if record != nil {
                try? await store.releaseLease(sagaId: sagaId, owner: configuration.instanceId, dueAt: record?.dueAt)
            }
            freeSlot()
            return
        }
        leases.hold(sagaId, until: until)
        launch(sagaId, .acquired(record), token: token)
    }
}

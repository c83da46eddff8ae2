import Foundation
import Logging
import Metrics

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
    /// Spans for sagas and attempts, to the configuration's tracer or the one bootstrapped before the engine was made.
    nonisolated let tracing: SagaTracing

    /// Held sagas, starts in progress and queued starts: what the common path touches, behind a lock.
    nonisolated let slots: EngineSlots

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
        self.metrics = EngineMetrics(
            instanceId: configuration.instanceId, statusName: configuration.statusName,
            factory: configuration.metricsFactory ?? MetricsSystem.factory)
        self.deadlines = DeadlineTimer(clock: configuration.clock)
        self.tracing = SagaTracing(tracer: configuration.tracer)
        let (leases, metrics) = (self.leases, self.metrics)
        self.slots = EngineSlots(
            capacity: configuration.maxConcurrentSagas, letGo: { leases.forget($0) },
            heldCountChanged: { metrics.heldSagas($0) })
    }

    nonisolated var clock: any SagaClock { configuration.clock }

    /// How many sagas this executor holds right now.
    public var heldCount: Int { slots.heldCount }

    /// Whether the engine takes new work (false once a shutdown or crash began).
    public nonisolated var isAcceptingWork: Bool { !lifecycle.isStopping }

    // MARK: Starting

    /// Starts a saga of a registered definition, or reports the existing saga with this id.
    ///
    /// Records SagaStarted and the first decisions in one store call, with this executor's lease, then runs
    /// the first step at once in process. Starting the same id twice creates one saga and reports the first.
    ///
    /// With `writes` (a store that ``takesOutcomeWrites``), the store makes them first, in the same command: the saga
    /// is recorded only if they all applied, and ``HistoryStoreError/outcomeWritesRefused(_:)`` says when one did not.
    public nonisolated func start<Input: Codable & Sendable>(
        _ definition: SagaDefinition<Input>,
        sagaId: String,
        input: Input,
        after writes: (any OutcomeWrites)? = nil
    ) async throws -> SagaStartOutcome {
        let inputJSON: JSONValue
        do {
            inputJSON = try JSONValue(encoding: input)
        } catch {
            throw SagaEngineError.invalidInput("\(error)")
        }
        return try await start(
            definitionName: definition.name, version: definition.version, sagaId: sagaId, input: inputJSON,
            after: writes)
    }

    /// Whether the store makes business writes in one command with a saga's start or an attempt's outcome
    /// (``start(_:sagaId:input:after:)``, ``StepContext/deferWrites(_:)``).
    public nonisolated var takesOutcomeWrites: Bool { store.takesOutcomeWrites }

    /// Starts a saga of the registered definition `definitionName` at `version` (the latest when `nil`) with a JSON input.
    ///
    /// Takes no turn on the engine actor: binding the input and the first decision need no engine state, and the
    /// slot and the runner are taken in ``EngineSlots`` under its lock, so that concurrent starts share the cores.
    public nonisolated func start(
        definitionName: String, version: Int? = nil, sagaId: String, input: JSONValue,
        after writes: (any OutcomeWrites)? = nil
    ) async throws -> SagaStartOutcome {
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
        return try await begin(plan, after: writes)
    }

    /// Starts `plan`'s saga once no other start of its id is in progress: run here when a slot is free, queued
    /// otherwise. A plan that waited for another start of its id is worked out again, so that its time and lease
    /// are not older than the write that records them.
    private nonisolated func begin(_ plan: StartPlan, after writes: (any OutcomeWrites)?) async throws
        -> SagaStartOutcome
    {
        let sagaId = plan.request.sagaId
        let waited = await slots.enterStart(sagaId)
        defer {
            if slots.leaveStart(sagaId) { Task { await self.claim(sagaId) } }
            // After the start lets go of its id: a queued start of it claimed now is not taken for a start in progress.
            freeSlot()
        }
        let plan = waited ? try plan.redone(now: SagaTime.truncated(clock.now)) : plan
        guard !lifecycle.isStopping else { throw SagaEngineError.shuttingDown }
        guard slots.reserveStart() else {
            return try await createQueued(plan, after: writes)
        }
        return try await createAndRun(plan, after: writes)
    }

    /// Records `request` after `writes`, when there are any.
    private nonisolated func store(_ request: SagaStartRequest, after writes: (any OutcomeWrites)?) async throws
        -> SagaStartOutcome
    {
        guard let writes else { return try await store.startSaga(request) }
        return try await store.startSaga(request, after: writes)
    }

    /// Records a saga started while every slot is taken: SagaStarted alone, no lease, due at once.
    ///
    /// The caller learns at once that the saga is durable; this engine claims it when a slot frees up (and any
    /// engine's due-saga poll may take it first). Only SagaStarted is recorded: a first step recorded as started
    /// without anyone holding the saga would later read as an interrupted attempt.
    private nonisolated func createQueued(_ plan: StartPlan, after writes: (any OutcomeWrites)?) async throws
        -> SagaStartOutcome
    {
        let outcome = try await store(plan.queuedRequest, after: writes)
        if case .created(let record) = outcome {
            metrics.sagaStarted(definition: plan.request.definitionName)
            // Past the bound the saga is still durable and due: the next poll of any executor claims it.
            slots.queue(record)
        }
        return outcome
    }

    /// Records a saga started with a slot reserved for it, and runs it here; the slot becomes its runner's, or is given
    /// back when no runner starts.
    private nonisolated func createAndRun(_ plan: StartPlan, after writes: (any OutcomeWrites)?) async throws
        -> SagaStartOutcome
    {
        let sagaId = plan.request.sagaId
        var launched = false
        defer { if !launched { slots.endStartReservation() } }
        let outcome = try await store(plan.request, after: writes)
        guard case .created(let record) = outcome else { return outcome }
        metrics.sagaStarted(definition: plan.request.definitionName)
        metrics.record(events: plan.decision.events, definition: plan.request.definitionName)
        if let leaseUntil = plan.leaseUntil {
            let start = RunnerStart.started(
                record: record, state: plan.decision.state, saga: plan.saga, effect: plan.decision.effect,
                leaseUntil: leaseUntil)
            launched = launch(sagaId, start, token: nil)
            if !launched, !lifecycle.isCrashed {
                try? await store.releaseLease(sagaId: sagaId, owner: configuration.instanceId, dueAt: plan.now)
            }
        } else if case .park(let until?) = plan.decision.effect {
            await scheduleTimer(sagaId, at: until)
        }
        return outcome
    }

    // MARK: Slots and runners

    /// A slot may have freed up: claims the next saga queued by ``start`` while every slot was taken, or, once none
    /// is queued but more were due than the queue held, polls for them rather than waiting for the poll interval
    /// (unless `offeringMoreDue` is false, for a due-saga poll's claim that failed: see ``claim(_:known:byPoll:)``).
    nonisolated func freeSlot(offeringMoreDue: Bool = true) {
        guard !lifecycle.isStopping, let work = slots.nextWork(offeringMoreDue: offeringMoreDue) else { return }
        switch work {
        case .claim(let next): Task { await self.claim(next.id, known: next) }
        case .poll: Task { await self.pollDueSagas(forFreedSlot: true) }
        }
    }

    /// Starts a runner task for a saga this executor holds (under `token` when ``EngineSlots/claim(_:known:)`` reserved
    /// it; with `nil`, a start's runner, which takes over the start's reservation), unless the engine stopped taking
    /// work; returns whether it started.
    nonisolated func launch(_ sagaId: String, _ start: RunnerStart, token: Int?) -> Bool {
        slots.launch(sagaId, token: token, stopping: { lifecycle.isStopping }) { token in
            runnerTask(sagaId, token: token, start)
        }
    }

    /// A task that drives `sagaId` from `start` and lets it go when its runner ends.
    private nonisolated func runnerTask(_ sagaId: String, token: Int, _ start: RunnerStart) -> Task<Void, Never> {
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
            logger: logger,
            continueElsewhere: { start, attemptId in
                self.continueRunner(sagaId, token: token, from: start, keeping: attemptId)
            }
        )
        return Task.detached {
            let exit = await SagaLogContext.$current.withValue(.init(sagaId: sagaId)) { await runner.drive(start) }
            if let exit { await self.runnerFinished(sagaId, token: token, exit: exit) }
        }
    }

    /// Goes on with `sagaId` in a fresh task from `start`: its runner's attempt `attemptId` lost to its timeout or
    /// a hard stop and keeps the old task, which is cancelled, and tracked as a running attempt (before the fresh
    /// task exists) until it returns.
    private nonisolated func continueRunner(
        _ sagaId: String, token: Int, from start: RunnerStart, keeping attemptId: Int
    ) {
        let old = slots.replaceRunner(sagaId, token: token, retiring: { lifecycle.track(attemptId, $0) }) {
            runnerTask(sagaId, token: token, start)
        }
        old?.cancel()
    }

    /// Lets go of a saga whose runner ended; only an exit that parks with a time, cannot run here or has a signal
    /// waiting takes a turn on the engine.
    private nonisolated func runnerFinished(_ sagaId: String, token: Int, exit: RunnerExit) async {
        let needsEngine: Bool =
            switch exit {
            case .parked(let until): until != nil
            case .unrunnable: true
            case .finished, .dropped, .handedOver, .abandoned: false
            }
        switch slots.finish(sagaId, token: token, needsEngine: needsEngine && !lifecycle.isStopping) {
        case .stale:
            return
        case .released:
            freeSlot()
        case .needsEngine:
            await runnerFinishedOnEngine(sagaId, token: token, exit: exit)
        }
    }

    private func runnerFinishedOnEngine(_ sagaId: String, token: Int, exit: RunnerExit) async {
        let (current, recheck) = slots.release(sagaId, token: token)
        guard current else { return }
        freeSlot()
        guard !lifecycle.isStopping else { return }
        var dueNow = recheck
        switch exit {
        case .parked(let until?) where until <= clock.now:
            // Due before its runner let go (a poll meanwhile found it held here and left it): claimed again now.
            dueNow = true
        case .parked(let until?):
            scheduleTimer(sagaId, at: until)
        case .unrunnable:
            quarantine[sagaId] = SagaTime.adding(configuration.quarantineInterval, to: clock.now)
            dueNow = false
        case .parked(nil), .finished, .dropped, .handedOver, .abandoned:
            break
        }
        if dueNow {
            await claim(sagaId)
        }
    }

    /// Takes `sagaId`'s lease and runs it here, unless it is held here already (then it is looked at again
    /// when its runner lets go), left alone, or no slot is free. With `known` (a start this engine queued, given or
    /// still in the queue), the store may take the lease without reading the saga back.
    ///
    /// `byPoll` for a due-saga poll's claim: a saga busy here is not looked at again (the poll's page was read
    /// before it was taken, or its runner claims it again itself if it is due by then), and a claim that fails gives
    /// its slot to a queued start only, not to a mark left before the poll began (the poll's end acts on marks set
    /// while it ran: ``EngineSlots/endPoll(_:markingMoreDue:)``), so that a saga whose lease cannot be taken is not
    /// fetched again and again.
    func claim(_ sagaId: String, known given: SagaRecord? = nil, byPoll: Bool = false) async {
        let busy = byPoll ? slots.isBusy(sagaId) : slots.recheckIfBusy(sagaId)
        guard !lifecycle.isStopping, !busy else { return }
        if let until = quarantine[sagaId] {
            guard until <= clock.now else { return }
            quarantine[sagaId] = nil
        }
        let known = given ?? slots.takeQueuedStart(sagaId)
        let token: Int
        switch slots.claim(sagaId, known: known) {
        case .busy, .full:
            return
        case .reserved(let reserved):
            token = reserved
        }
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
        guard let record else {
            slots.unclaim(sagaId, token: token, countingAsFreed: !byPoll)
            freeSlot(offeringMoreDue: !byPoll)
            return
        }
        timers.cancel(sagaId)
        leases.hold(sagaId, until: until)
        guard launch(sagaId, .acquired(record), token: token) else {
            if !lifecycle.isCrashed {
                try? await store.releaseLease(sagaId: sagaId, owner: configuration.instanceId, dueAt: record.dueAt)
            }
            // Only now: a graceful shutdown waits for the claim until its lease is given back.
            slots.unclaim(sagaId, token: token, countingAsFreed: !byPoll)
            freeSlot(offeringMoreDue: !byPoll)
            return
        }
    }
}

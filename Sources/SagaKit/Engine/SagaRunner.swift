import Foundation
import Logging

/// How a runner got its saga.
enum RunnerStart: Sendable {
    /// The engine just created the saga with these events and holds its lease; `effect` is due at once.
    case started(record: SagaRecord, state: SagaState, saga: BoundSaga, effect: SagaEffect, leaseUntil: Date)
    /// The engine acquired the lease of an existing saga.
    case acquired(SagaRecord)
    /// A runner's attempt lost to its timeout: this task goes on from `held` with `fact`, which records the timeout
    /// (worked out here, not on the timer that noticed it).
    case resumed(SagaRunner.Held, fact: @Sendable () -> SagaRunner.Fact)
    /// A runner was hard-stopped during an attempt: this task only reports that nothing more was written.
    case abandoned
}

/// How a runner let go of its saga.
enum RunnerExit: Sendable, Hashable {
    /// Parked until a time (retry, timer, deadline) or a signal (`nil`); the lease was released.
    case parked(until: Date?)
    /// Terminal; the lease was released.
    case finished
    /// Another executor owns it now, or the store kept failing; nothing more was written.
    case dropped
    /// It cannot run here (unknown definition version, bad input or history); left untouched.
    case unrunnable
    /// The engine is shutting down; what the saga produced was written and the lease released, due at once.
    case handedOver
    /// The engine was hard-stopped; nothing more was written.
    case abandoned
}

/// Drives one held saga: decide, append, run the attempt, repeat, until it parks, ends or is lost.
///
/// Store round trips per decision: exactly one conditional append, which records an attempt's outcome
/// together with the next decisions (and the lease release when the saga parks or ends). So a saga of
/// N action steps that all succeed costs 1 (start, which also records the first step's start) + N appends.
struct SagaRunner: Sendable {
    let sagaId: String
    let store: any HistoryStore
    let registry: SagaRegistry
    let configuration: SagaEngine.Configuration
    let leases: LeaseBook
    let lifecycle: EngineLifecycle
    let deadlines: DeadlineTimer
    let tracing: SagaTracing
    let metrics: EngineMetrics
    let logger: Logger
    /// Goes on with the saga in a fresh task from `start`, when an attempt lost its race and keeps this task; the
    /// `Int` is the attempt's id (the engine tracks the task it keeps as a running attempt).
    let continueElsewhere: @Sendable (RunnerStart, Int) -> Void

    var clock: any SagaClock { configuration.clock }
    var owner: String { configuration.instanceId }

    /// The working set of a held saga.
    struct Held {
        /// The record as last read from the store, its `lastSeq` and `status` kept current by each append, without
        /// its `events` (``state`` holds what they say): a decision copies no history, and the runner shares no
        /// buffer with a store that appends to it.
        var record: SagaRecord {
            didSet { if !record.events.isEmpty { record.events = [] } }
        }
        var state: SagaState
        let saga: BoundSaga
        /// Outcome events already applied to `state` but not yet appended.
        var facts: [HistoryEvent] = []
        /// The writes the step whose outcome is among ``facts`` deferred to their append, and what to go back to when
        /// they are refused.
        var deferred: Deferred?

        /// Writes a step deferred (``StepContext/deferWrites(_:)``), with the working set from before its outcome.
        struct Deferred {
            let writes: any OutcomeWrites
            /// What counts the attempt once the writes' fate is known.
            let tally: AttemptTally?
            /// ``Held/state`` and ``Held/facts`` before the outcome applied.
            let state: SagaState
            let facts: [HistoryEvent]
            /// The attempt that deferred them, run again when they are refused.
            let effect: SagaEffect
        }

        /// Goes back to before the outcome whose deferred writes were refused; the attempt to run again, which counts
        /// in its stead.
        mutating func dropRefusedOutcome() -> SagaEffect? {
            guard let deferred else { return nil }
            deferred.tally?.settle(counted: false)
            state = deferred.state
            facts = deferred.facts
            self.deferred = nil
            return deferred.effect
        }

        /// Lets go of deferred writes that were made (or that the saga goes on without knowing of), counting their
        /// attempt as it ended.
        mutating func settleDeferred() {
            deferred?.tally?.settle(counted: true)
            deferred = nil
        }

        init(record: SagaRecord, state: SagaState, saga: BoundSaga) {
            var record = record
            record.events = []
            self.record = record
            self.state = state
            self.saga = saga
        }
    }

    enum AppendResult {
        case appended
        /// A write the append was to follow was refused; nothing was appended.
        case writesRefused
        case inboxChanged(SagaRecord)
        case lost
        case abandoned
    }

    /// Drives the saga until it parks, ends or is lost; `nil` when an attempt lost its race and a fresh task
    /// went on with it (see ``continueElsewhere``).
    func drive(_ start: RunnerStart) async -> RunnerExit? {
        var held: Held
        var effect: SagaEffect?
        var fact: Fact?
        switch start {
        case .started(let record, let state, let saga, let startEffect, let leaseUntil):
            leases.hold(sagaId, until: leaseUntil)
            held = Held(record: record, state: state, saga: saga)
            effect = startEffect
        case .acquired(let record):
            guard let prepared = await prepare(record) else { return .unrunnable }
            held = prepared
        case .resumed(let resumed, let timedOut):
            held = resumed
            fact = timedOut()
        case .abandoned:
            return .abandoned
        }
        // Whatever way the saga is let go, an attempt whose writes wait on an append is counted as it ended.
        defer { held.settleDeferred() }
        // False for the run that follows a refusal of the writes an attempt deferred: it makes them itself.
        var mayDeferWrites = true
        while true {
            if fact == nil, let running = effect, running.runsAttempt {
                let end = await runAttempt(running, held: held, mayDeferWrites: mayDeferWrites)
                mayDeferWrites = true
                switch end {
                case .recorded(let recorded, let writes, let tally):
                    fact = recorded
                    if let writes {
                        held.deferred = Held.Deferred(
                            writes: writes, tally: tally, state: held.state, facts: held.facts, effect: running)
                    }
                case .continuedElsewhere:
                    return nil
                case .notRun:
                    return lifecycle.isCrashed || Task.isCancelled ? .abandoned : .dropped
                }
            }
            if let (event, kind) = fact {
                fact = nil
                do {
                    try held.state.apply(event, kind: kind)
                } catch {
                    logger.error("recorded outcome does not apply", metadata: ["error": "\(error)"])
                    return .dropped
                }
                held.facts.append(event)
            }
            effect = nil
            guard !lifecycle.isCrashed, !Task.isCancelled else { return .abandoned }
            if leases.entry(sagaId)?.lost == true {
                logger.notice("lease lost; dropping the saga")
                return .dropped
            }
            if lifecycle.isStopping {
                switch await handOver(&held) {
                case .exited(let exit):
                    return exit
                case .runAgain(let attempt):
                    effect = attempt
                    mayDeferWrites = false
                    continue
                }
            }

            let now = SagaTime.truncated(clock.now)
            let decision: SagaDecision
            do {
                decision = try SagaDecider.decide(
                    state: held.state,
                    saga: held.saga,
                    pendingSignals: Self.pendingSignals(held.record, consumed: held.state.inboxConsumed),
                    now: now,
                    random: configuration.jitter.nextUnit
                )
            } catch {
                logger.error(
                    "the history does not allow the next decision; leaving the saga alone",
                    metadata: ["error": "\(error)"])
                try? await store.releaseLease(sagaId: sagaId, owner: owner, dueAt: setAside(held.record))
                return .unrunnable
            }
            let events = held.facts + decision.events
            let (lease, dueAt) = Self.leaseAndDueTime(
                for: decision.effect, saga: held.saga, now: now, configuration: configuration)
            let request = AppendRequest(
                sagaId: sagaId,
                owner: owner,
                expectedSeq: held.record.lastSeq,
                expectedInboxCount: held.record.inbox.count,
                expectedStatus: held.record.status,
                events: events,
                status: decision.state.status,
                currentStep: decision.state.currentStepName,
                currentAttempt: decision.state.currentAttempt,
                dueAt: dueAt,
                lease: lease
            )
            switch await appendWithRetry(request, after: held.deferred?.writes) {
            case .appended:
                held.record.lastSeq = events.last?.seq ?? held.record.lastSeq
                held.record.status = decision.state.status
                held.state = decision.state
                held.facts = []
                held.settleDeferred()
                metrics.record(events: events, definition: held.saga.name)
                switch decision.effect {
                case .runStep, .runCompensation:
                    if case .keep(let until) = lease { leases.hold(sagaId, until: until) }
                    effect = decision.effect
                case .park(let until):
                    return .parked(until: until)
                case .done:
                    return .finished
                }
            case .writesRefused:
                logger.info("a write the step deferred was refused; running the attempt again to make its writes")
                effect = held.dropRefusedOutcome()
                mayDeferWrites = false
            case .inboxChanged(let current):
                held.record = current
                // A conflict comes after the writes were made: the outcome goes on without them.
                held.settleDeferred()
            case .lost:
                return .dropped
            case .abandoned:
                return .abandoned
            }
        }
    }

    // MARK: Preparing

    /// Folds an acquired record; releases it untouched when it cannot run here.
    private func prepare(_ record: SagaRecord) async -> Held? {
        guard let definition = registry.definition(name: record.definitionName, version: record.definitionVersion)
        else {
            logger.error(
                "no definition registered for this saga's version; leaving it untouched",
                metadata: ["definition": "\(record.definitionName)", "version": "\(record.definitionVersion)"]
            )
            try? await store.releaseLease(sagaId: sagaId, owner: owner, dueAt: record.dueAt)
            return nil
        }
        do {
            let saga = try definition.bind(input: record.input)
            let state = try SagaState.fold(record.events)
            return Held(record: record, state: state, saga: saga)
        } catch {
            logger.error("the saga cannot be loaded; leaving it untouched", metadata: ["error": "\(error)"])
            try? await store.releaseLease(sagaId: sagaId, owner: owner, dueAt: setAside(record))
            return nil
        }
    }

    /// When a saga that cannot run anywhere (its input or history does not load) is due again: not before the
    /// quarantine ends, so that it cannot crowd the due-saga polls of any executor.
    private func setAside(_ record: SagaRecord) -> Date? {
        guard let dueAt = record.dueAt else { return nil }
        return max(dueAt, SagaTime.adding(configuration.quarantineInterval, to: SagaTime.truncated(clock.now)))
    }

    static func pendingSignals(_ record: SagaRecord, consumed: Int) -> [SignalDelivery] {
        guard record.inbox.count > consumed else { return [] }
        return record.inbox.indices.dropFirst(consumed).map { index in
            let signal = record.inbox[index]
            return SignalDelivery(
                signalId: signal.id, name: signal.name, payload: signal.payload, inboxIndex: index, sentAt: signal.at)
        }
    }

    /// What an append does to the lease, and when the saga is due next, for the effect it records.
    ///
    /// An attempt keeps the lease for at least its timeout plus a renew interval, so the attempt can end
    /// (or time out) before anyone else may take the saga, and the saga is due when that lease runs out (so
    /// recovery polls skip it while it is held); parking and ending release it in the same write.
    static func leaseAndDueTime(
        for effect: SagaEffect,
        saga: BoundSaga,
        now: Date,
        configuration: SagaEngine.Configuration
    ) -> (AppendRequest.LeaseUpdate, Date?) {
        switch effect {
        case .runStep, .runCompensation:
            let needed = max(configuration.leaseDuration, timeout(of: effect, in: saga) + configuration.renewInterval)
            let until = SagaTime.adding(needed, to: now)
            // Nobody need look at a saga whose step runs under a lease until that lease runs out.
            return (.keep(until: until), until)
        case .park(let until):
            return (.release, until)
        case .done:
            return (.release, nil)
        }
    }

    static func timeout(of effect: SagaEffect, in saga: BoundSaga) -> Duration {
        switch effect {
        case .runStep(let name, _): saga.step(named: name)?.action?.timeout ?? .zero
        case .runCompensation(let name, _, _): saga.compensation(named: name)?.compensation.timeout ?? .zero
        case .park, .done: .zero
        }
    }
}

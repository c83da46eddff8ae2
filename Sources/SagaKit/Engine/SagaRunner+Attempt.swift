import Foundation
import Logging
import Synchronization
import Tracing

/// Running one attempt of a step or compensation and turning its outcome into an event.
extension SagaRunner {
    /// Whether this executor's lease lasts at least `timeout` from now, extending it once when it does not.
    ///
    /// The lease recorded with the decision may have worn thin while a slow store took the append; one renewal
    /// (a single round trip) is cheaper than dropping the saga and having it taken over, with its attempt
    /// recorded as interrupted, once the lease runs out.
    func leaseCovers(_ timeout: Duration) async -> Bool {
        guard let lease = leases.entry(sagaId), !lease.lost else { return false }
        if SagaTime.interval(from: clock.now, to: lease.until) >= timeout { return true }
        let until = SagaTime.adding(
            max(configuration.leaseDuration, timeout + configuration.renewInterval), to: clock.now)
        guard let renewed = try? await store.renewLeases(sagaIds: [sagaId], owner: owner, until: until) else {
            return false
        }
        leases.applyRenewal(asked: [sagaId: lease.generation], renewed: renewed, until: until)
        return renewed.contains(sagaId) && SagaTime.interval(from: clock.now, to: until) >= timeout
    }

    /// An attempt's outcome event, with its typed view.
    typealias Fact = (event: HistoryEvent, kind: HistoryEvent.Kind)

    /// How ``runAttempt(_:held:mayDeferWrites:)`` ended.
    enum AttemptEnd {
        /// The attempt ended first; this event records its outcome, to be appended after `writes` (those the step
        /// deferred, when it completed), whose fate decides how `tally` counts the attempt.
        case recorded(Fact, writes: (any OutcomeWrites)?, tally: AttemptTally?)
        /// Its timeout or a hard stop came first, and a fresh task goes on with the saga; this one has nothing
        /// more to do.
        case continuedElsewhere
        /// It did not run, or the engine was hard-stopped meanwhile.
        case notRun
    }

    /// Runs the attempt on this task and returns the event recording its outcome, unless it must not run, or it
    /// lost to its timeout or a hard stop; a step may defer its last writes to that event's append when
    /// `mayDeferWrites` and the store takes them.
    ///
    /// The attempt keeps this task until it returns, even when its timeout or a hard stop comes first: then a fresh
    /// task goes on with the saga at once (``continueElsewhere``), this task is cancelled, and what the attempt
    /// returns later is dropped. An action that ignores cancellation keeps running in the background, which is why
    /// effects must be idempotent by their key.
    func runAttempt(_ effect: SagaEffect, held: Held, mayDeferWrites: Bool) async -> AttemptEnd {
        let timeout = Self.timeout(of: effect, in: held.saga)
        guard await leaseCovers(timeout) else {
            logger.notice("the lease does not cover the attempt's timeout and could not be extended; dropping the saga")
            return .notRun
        }
        guard !lifecycle.isCrashed, !Task.isCancelled else { return .notRun }
        let fence = attemptFence(state: held.state)
        let (saga, state, random) = (held.saga, held.state, configuration.jitter.nextUnit)
        switch effect {
        case .runStep(let name, let attempt):
            guard let action = saga.step(named: name)?.action else { return .notRun }
            let deferral = mayDeferWrites && store.takesOutcomeWrites ? WriteDeferral() : nil
            /// Deferred writes go with a completion only: an attempt that failed made nothing of them.
            @Sendable func carriesWrites(_ kind: HistoryEvent.Kind) -> Bool {
                guard case .stepCompleted = kind else { return false }
                return deferral?.holdsWrites == true
            }
            let execution = StepExecution(
                sagaId: sagaId,
                input: saga.input,
                name: name,
                attempt: attempt,
                idempotencyKey: StepResults.idempotencyKey(sagaId: sagaId, name: name),
                fence: fence,
                results: RecordedResults(steps: state.steps),
                logger: logger,
                deferral: deferral
            )
            let end = await run(
                name, kind: "step", attempt: attempt, held: held, timeout: timeout, carriesWrites: carriesWrites
            ) {
                try await action.run(execution)
            } outcome: { result, now in
                SagaDecider.stepOutcome(
                    saga: saga, step: name, attempt: attempt, budgetStart: state.current?.budgetStart ?? 0,
                    result: result, now: now, random: random)
            }
            guard case .recorded(let fact, _, let tally) = end else { return end }
            guard carriesWrites(fact.kind), let writes = deferral?.take() else {
                tally?.settle(counted: true)
                return .recorded(fact, writes: nil, tally: nil)
            }
            return .recorded(fact, writes: writes, tally: tally)
        case .runCompensation(let name, let forStep, let attempt):
            guard let compensation = saga.compensation(named: name)?.compensation else { return .notRun }
            let stepInfo = state.step(named: forStep)
            let execution = CompensationExecution(
                sagaId: sagaId,
                input: saga.input,
                name: name,
                stepName: forStep,
                attempt: attempt,
                idempotencyKey: StepResults.idempotencyKey(sagaId: sagaId, name: name),
                stepIdempotencyKey: StepResults.idempotencyKey(sagaId: sagaId, name: forStep),
                fence: fence,
                stepResult: stepInfo?.status == .completed ? (stepInfo?.result ?? .null) : nil,
                cause: state.compensation?.cause ?? .failure,
                results: RecordedResults(steps: state.steps),
                logger: logger
            )
            return await run(
                name, kind: "compensation", attempt: attempt, held: held, timeout: timeout,
                carriesWrites: { _ in false }
            ) {
                try await compensation.run(execution)
            } outcome: { result, now in
                SagaDecider.compensationOutcome(
                    state: state, saga: saga, compensation: name, forStep: forStep, attempt: attempt,
                    result: result, now: now, random: random)
            }
        case .park, .done:
            return .notRun
        }
    }

    /// Runs one attempt of step or compensation `name` on this task against `timeout`, in its log context and, when
    /// tracing, its span, and records its end with `outcome`: here when it returns first, or in the fresh task
    /// that takes over when its timeout comes first.
    ///
    /// The attempt is counted (its metrics, the end of its span) as it ends, unless its outcome `carriesWrites` the
    /// step deferred: then the ``AttemptTally`` it returns counts it once their fate is known.
    private func run<Value: Sendable>(
        _ name: String, kind: String, attempt: Int, held: Held, timeout: Duration,
        carriesWrites: @Sendable (HistoryEvent.Kind) -> Bool,
        operation: () async throws -> Value,
        outcome: @escaping @Sendable (Result<Value, StepError>, Date) -> HistoryEvent.Kind
    ) async -> AttemptEnd {
        let span = tracing.startAttempt(
            name, kind: kind, attempt: attempt, sagaId: sagaId, trace: held.state.trace,
            attributes: configuration.traceAttributes(sagaId))
        let started = clock.now
        let lastSeq = held.state.lastSeq
        /// The event recording the attempt's end at `finishedAt`.
        @Sendable func fact(_ result: Result<Value, StepError>, at finishedAt: Date) -> Fact {
            let kind = SagaDecider.withinHistoryLimit(
                outcome(result, finishedAt), lastSeq: lastSeq, limit: configuration.maxHistoryEvents)
            return (HistoryEvent(seq: lastSeq + 1, at: finishedAt, kind: kind), kind)
        }
        /// Counts the attempt as it ended: its metrics, and the end of its span.
        @Sendable func count(_ result: Result<Value, StepError>, _ fact: Fact, timedOut: Bool) {
            recordAttemptMetrics(
                name: name, result: result.map { _ in () }, timedOut: timedOut, from: started, to: fact.event.at)
            SagaTracing.end(span, outcome: fact.kind)
        }
        /// The event recording the attempt's end, the attempt counted.
        @Sendable func recorded(_ result: Result<Value, StepError>, timedOut: Bool) -> Fact {
            let ended = fact(result, at: SagaTime.truncated(clock.now))
            count(result, ended, timedOut: timedOut)
            return ended
        }
        let attemptId = lifecycle.nextAttemptId()
        let result = await SagaLogContext.$current.withValue(.init(sagaId: sagaId, step: name, attempt: attempt)) {
            await SagaTracing.withContext(of: span) {
                logger.debug("attempt started")
                return await deadlines.raceInline(timeout) {
                    do {
                        return Result<Value, StepError>.success(try await operation())
                    } catch {
                        return .failure(StepError.classify(error))
                    }
                } lost: { loss in
                    if case .timedOut = loss, !lifecycle.isCrashed {
                        let fact: @Sendable () -> Fact = {
                            recorded(.failure(.timeout(after: timeout)), timedOut: true)
                        }
                        continueElsewhere(.resumed(held, fact: fact), attemptId)
                    } else {
                        SagaTracing.end(span, outcome: nil)
                        continueElsewhere(.abandoned, attemptId)
                    }
                }
            }
        }
        guard let result else {
            lifecycle.untrack(attemptId)
            return .continuedElsewhere
        }
        guard !lifecycle.isCrashed else {
            SagaTracing.end(span, outcome: nil)
            return .notRun
        }
        let ended = fact(result, at: SagaTime.truncated(clock.now))
        guard carriesWrites(ended.kind) else {
            count(result, ended, timedOut: false)
            return .recorded(ended, writes: nil, tally: nil)
        }
        // Counted once the writes' fate is known: as it ended, or not at all when they are refused (the run after
        // it stands for it). Its span then covers the command that made them.
        let tally = AttemptTally { counted in
            guard counted else { return SagaTracing.endRefused(span) }
            count(result, ended, timedOut: false)
        }
        return .recorded(ended, writes: nil, tally: tally)
    }

    /// The fence of the attempt the last recorded event started: its token, and a check that this executor still
    /// holds the lease by its own clock (a process paused past its lease finds it expired when it wakes).
    func attemptFence(state: SagaState) -> AttemptFence {
        let (leases, sagaId, clock) = (self.leases, self.sagaId, self.clock)
        return AttemptFence(token: state.fencingToken) {
            guard let lease = leases.entry(sagaId), !lease.lost else {
                return .retryable(kind: "LeaseLost", message: "another executor took the saga over")
            }
            guard lease.until > clock.now else {
                return .retryable(kind: "LeaseLost", message: "the lease ran out before the call")
            }
            return nil
        }
    }

    func recordAttemptMetrics(
        name: String, result: Result<Void, StepError>, timedOut: Bool, from started: Date, to finished: Date
    ) {
        let outcome =
            switch result {
            case .success: "completed"
            case .failure: timedOut ? "timeout" : "failed"
            }
        metrics.attempt(step: name, outcome: outcome, duration: SagaTime.interval(from: started, to: finished))
        if case .failure(let error) = result {
            logger.info("attempt failed", metadata: ["step": "\(name)", "error": "\(error)"])
        }
    }
}

/// Counts one attempt once: its metrics and the end of its span, as it ended; or, for a run whose deferred writes
/// were refused (the attempt runs again at once, and that run counts), only the end of its span, marked so.
final class AttemptTally: Sendable {
    private let count: Mutex<(@Sendable (_ counted: Bool) -> Void)?>

    init(_ count: @escaping @Sendable (_ counted: Bool) -> Void) {
        self.count = Mutex(count)
    }

    /// Counts the attempt (`counted`), or ends its span as refused; the first call only.
    func settle(counted: Bool) {
        count.withLock { $0.take() }?(counted)
    }
}

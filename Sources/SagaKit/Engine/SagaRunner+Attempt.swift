import Foundation
import Logging
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
        leases.applyRenewal(asked: [sagaId], renewed: renewed, until: until)
        return renewed.contains(sagaId) && SagaTime.interval(from: clock.now, to: until) >= timeout
    }

    /// Runs the attempt and returns the event recording its outcome, with its typed view; `nil` when it must not
    /// run or was abandoned.
    func runAttempt(_ effect: SagaEffect, held: Held) async -> (event: HistoryEvent, kind: HistoryEvent.Kind)? {
        let timeout = Self.timeout(of: effect, in: held.saga)
        guard await leaseCovers(timeout) else {
            logger.notice("the lease does not cover the attempt's timeout and could not be extended; dropping the saga")
            return nil
        }
        let started = clock.now
        let fence = attemptFence(state: held.state)
        let kind: HistoryEvent.Kind
        let finishedAt: Date
        switch effect {
        case .runStep(let name, let attempt):
            guard let action = held.saga.step(named: name)?.action else { return nil }
            let execution = StepExecution(
                sagaId: sagaId,
                input: held.saga.input,
                name: name,
                attempt: attempt,
                idempotencyKey: StepResults.idempotencyKey(sagaId: sagaId, name: name),
                fence: fence,
                results: RecordedResults(steps: held.state.steps),
                logger: logger
            )
            let (outcome, span) = await traced(name, kind: "step", attempt: attempt, held: held, timeout: timeout) {
                try await action.run(execution)
            }
            guard case .finished(let result, let timedOut) = outcome, !lifecycle.isCrashed else {
                SagaTracing.end(span, outcome: nil)
                return nil
            }
            finishedAt = SagaTime.truncated(clock.now)
            recordAttemptMetrics(
                name: name, result: result.map { _ in () }, timedOut: timedOut, from: started, to: finishedAt)
            kind = SagaDecider.stepOutcome(
                saga: held.saga, step: name, attempt: attempt, budgetStart: held.state.current?.budgetStart ?? 0,
                result: result, now: finishedAt, random: configuration.jitter.nextUnit
            )
            SagaTracing.end(span, outcome: kind)
        case .runCompensation(let name, let forStep, let attempt):
            guard let compensation = held.saga.compensation(named: name)?.compensation else { return nil }
            let stepInfo = held.state.step(named: forStep)
            let execution = CompensationExecution(
                sagaId: sagaId,
                input: held.saga.input,
                name: name,
                stepName: forStep,
                attempt: attempt,
                idempotencyKey: StepResults.idempotencyKey(sagaId: sagaId, name: name),
                stepIdempotencyKey: StepResults.idempotencyKey(sagaId: sagaId, name: forStep),
                fence: fence,
                stepResult: stepInfo?.status == .completed ? (stepInfo?.result ?? .null) : nil,
                cause: held.state.compensation?.cause ?? .failure,
                results: RecordedResults(steps: held.state.steps),
                logger: logger
            )
            let (outcome, span) = await traced(
                name, kind: "compensation", attempt: attempt, held: held, timeout: timeout
            ) {
                try await compensation.run(execution)
            }
            guard case .finished(let result, let timedOut) = outcome, !lifecycle.isCrashed else {
                SagaTracing.end(span, outcome: nil)
                return nil
            }
            finishedAt = SagaTime.truncated(clock.now)
            recordAttemptMetrics(name: name, result: result, timedOut: timedOut, from: started, to: finishedAt)
            kind = SagaDecider.compensationOutcome(
                state: held.state, saga: held.saga, compensation: name, forStep: forStep, attempt: attempt,
                result: result, now: finishedAt, random: configuration.jitter.nextUnit
            )
            SagaTracing.end(span, outcome: kind)
        case .park, .done:
            return nil
        }
        let bounded = SagaDecider.withinHistoryLimit(
            kind, lastSeq: held.state.lastSeq, limit: configuration.maxHistoryEvents)
        return (HistoryEvent(seq: held.state.lastSeq + 1, at: finishedAt, kind: bounded), bounded)
    }

    /// Runs one attempt of step or compensation `name` against `timeout`, in its log context and, when tracing, its
    /// span (returned unended: its outcome is known only once the attempt's event is decided).
    private func traced<Value: Sendable>(
        _ name: String, kind: String, attempt: Int, held: Held, timeout: Duration,
        operation: @escaping @Sendable () async throws -> Value
    ) async -> (AttemptOutcome<Value>, (any Span)?) {
        let span = tracing.startAttempt(
            name, kind: kind, attempt: attempt, sagaId: sagaId, trace: held.state.trace,
            attributes: configuration.traceAttributes(sagaId))
        let outcome = await SagaLogContext.$current.withValue(.init(sagaId: sagaId, step: name, attempt: attempt)) {
            await SagaTracing.withContext(of: span) {
                logger.debug("attempt started")
                return await AttemptExecutor.run(
                    timeout: timeout, deadlines: deadlines, lifecycle: lifecycle, operation: operation)
            }
        }
        return (outcome, span)
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

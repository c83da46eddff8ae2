import Foundation

/// The pure heart of the engine: from a saga's state, its definition, the signals waiting in its inbox and
/// the time, decides which events to record next and what to do.
///
/// Pure means: no I/O, no clock, no randomness of its own (jitter comes in as `random`); the same inputs
/// give the same decision. The ``SagaReplayer`` re-runs it over recorded histories to check them.
///
/// Order of concerns, one ``DecisionUnit`` at a time:
/// 1. an attempt recorded as started without an outcome (its executor died) fails as `AttemptInterrupted` (retryable);
/// 2. the next inbox signal is consumed (a wait whose deadline passed before the signal was sent, and before now,
///    times out first; a signal sent after the deadline is never accepted);
/// 3. the saga moves on: next step, retry, timer, wait, compensation, or its end.
enum SagaDecider {
    /// Decides until the saga must wait for an attempt, a time or a signal, or has ended.
    static func decide(
        state: SagaState,
        saga: BoundSaga,
        pendingSignals: [SignalDelivery],
        now: Date,
        random: () -> Double
    ) throws(SagaStateError) -> SagaDecision {
        let now = SagaTime.truncated(now)
        var working = state
        var events: [HistoryEvent] = []
        var signalIndex = 0
        while true {
            let signal = signalIndex < pendingSignals.count ? pendingSignals[signalIndex] : nil
            let unit = nextUnit(state: working, saga: saga, signal: signal, now: now, random: random)
            for kind in unit.kinds {
                let event = HistoryEvent(seq: working.lastSeq + 1, at: now, kind: kind)
                try working.apply(event, kind: kind)
                events.append(event)
            }
            if unit.consumesSignal { signalIndex += 1 }
            if let effect = unit.effect {
                return SagaDecision(events: events, state: working, effect: effect)
            }
        }
    }

    /// The next indivisible decision for `state`, given the next unconsumed inbox signal, if any.
    static func nextUnit(
        state: SagaState,
        saga: BoundSaga,
        signal: SignalDelivery?,
        now: Date,
        random: () -> Double
    ) -> DecisionUnit {
        if let interrupted = interruptedAttempt(state: state, saga: saga, now: now, random: random) {
            return .proceed([interrupted])
        }
        if let signal {
            if let timeout = waitTimeout(state: state, saga: saga, at: min(signal.sentAt, now), inclusive: false) {
                return .proceed(timeout)
            }
            return consume(signal, state: state, saga: saga)
        }
        switch state.status {
        case .completed:
            guard state.revertRequested else { return .effect(.done) }
            return .proceed([compensating(.revert, state: state, saga: saga)])
        case .compensated, .cancelled, .reverted:
            return .effect(.done)
        case .stuck:
            return .effect(.park(until: nil))
        case .compensating:
            return compensationUnit(state: state, saga: saga, now: now)
        case .running, .waiting:
            return forwardUnit(state: state, saga: saga, now: now)
        }
    }

    // MARK: Forward progress

    private static func forwardUnit(state: SagaState, saga: BoundSaga, now: Date) -> DecisionUnit {
        guard let current = state.current else {
            if state.cancelRequested { return .proceed([compensating(.cancel, state: state, saga: saga)]) }
            return nextStepUnit(state: state, saga: saga, now: now)
        }
        switch current.phase {
        case .running:
            return .effect(.park(until: nil))
        case .scheduled:
            return beginUnit(current.name, kind: current.kind, saga: saga, now: now, scheduling: false)
        case .retryPending(let nextAttemptAt):
            if state.cancelRequested { return .proceed([compensating(.cancel, state: state, saga: saga)]) }
            guard now >= nextAttemptAt else { return .effect(.park(until: nextAttemptAt)) }
            let attempt = current.attempt + 1
            return .effect(
                .runStep(name: current.name, attempt: attempt), [.stepStarted(step: current.name, attempt: attempt)])
        case .failed(let error):
            if error.retryable, saga.step(named: current.name)?.action?.stuckWhenExhausted == true {
                return .effect(.park(until: nil), [.sagaStuck(compensation: current.name, error: error)])
            }
            return .proceed([compensating(.failure, state: state, saga: saga, failedStep: current.name, error: error)])
        case .timer(let fireAt):
            guard now >= fireAt else { return .effect(.park(until: fireAt)) }
            return .proceed([
                .timerFired(step: current.name), .stepCompleted(step: current.name, attempt: 1, result: .null),
            ])
        case .timerFired:
            return .proceed([.stepCompleted(step: current.name, attempt: 1, result: .null)])
        case .waiting(_, let deadline):
            if let timeout = waitTimeout(state: state, saga: saga, at: now, inclusive: true) {
                return .proceed(timeout)
            }
            return .effect(.park(until: deadline))
        case .signalAccepted(let name, let payload):
            return .proceed([waitOutcome(current.name, signal: name, payload: payload, saga: saga)])
        case .waitTimedOut:
            return .proceed([timeoutOutcome(current.name, saga: saga)])
        }
    }

    /// Moves to the first element of the definition the history has not reached, or completes the saga.
    private static func nextStepUnit(state: SagaState, saga: BoundSaga, now: Date) -> DecisionUnit {
        guard let step = firstUnreached(state: state, saga: saga) else {
            return .effect(.done, [.sagaCompleted])
        }
        guard step.isEnabled else {
            return .proceed([.stepSkipped(step: step.name, kind: step.stepKind, reason: "condition is false")])
        }
        return beginUnit(step.name, kind: step.stepKind, saga: saga, now: now, scheduling: true)
    }

    /// The first element of the definition the history has not reached. Steps are reached in definition order, so
    /// it is normally the one after the last reached; a history that reached them otherwise is searched in full.
    private static func firstUnreached(state: SagaState, saga: BoundSaga) -> BoundStep? {
        let count = state.steps.count
        if count <= saga.steps.count, state.steps.indices.allSatisfy({ state.steps[$0].name == saga.steps[$0].name }) {
            return count < saga.steps.count ? saga.steps[count] : nil
        }
        let reached = Set(state.steps.map(\.name))
        return saga.steps.first { !reached.contains($0.name) }
    }

    /// Schedules (when `scheduling`) and begins `name`: the first attempt, the timer or the wait.
    private static func beginUnit(_ name: String, kind: SagaStepKind, saga: BoundSaga, now: Date, scheduling: Bool)
        -> DecisionUnit
    {
        var kinds: [HistoryEvent.Kind] = scheduling ? [.stepScheduled(step: name, kind: kind)] : []
        switch saga.step(named: name)?.kind {
        case .action:
            kinds.append(.stepStarted(step: name, attempt: 1))
            return .effect(.runStep(name: name, attempt: 1), kinds)
        case .timer(let duration):
            kinds.append(.timerStarted(step: name, fireAt: SagaTime.adding(duration, to: now)))
            return .proceed(kinds)
        case .signalWait(let wait):
            let deadline = wait.timeout.map { SagaTime.adding($0, to: now) }
            kinds.append(.signalWaitStarted(step: name, signals: wait.signals, deadline: deadline))
            return .proceed(kinds)
        case nil:
            return .effect(.park(until: nil), kinds)
        }
    }

    // MARK: Signal waits

    /// The events ending the current wait by its deadline, when the saga waits and the deadline lies before `moment`
    /// (or at it, when `inclusive`): a signal sent after the deadline comes too late, and time at the deadline ends it.
    private static func waitTimeout(
        state: SagaState,
        saga: BoundSaga,
        at moment: Date,
        inclusive: Bool
    ) -> [HistoryEvent.Kind]? {
        guard state.status == .waiting, let current = state.current, case .waiting(_, let deadline?) = current.phase
        else {
            return nil
        }
        guard inclusive ? moment >= deadline : moment > deadline else { return nil }
        return [.signalWaitTimedOut(step: current.name), timeoutOutcome(current.name, saga: saga)]
    }

    private static func timeoutOutcome(_ step: String, saga: BoundSaga) -> HistoryEvent.Kind {
        if case .signalWait(let wait) = saga.step(named: step)?.kind, let error = wait.onTimeout {
            return .stepFailed(step: step, attempt: 1, error: error, nextAttemptAt: nil)
        }
        return .stepCompleted(step: step, attempt: 1, result: .null)
    }

    private static func waitOutcome(_ step: String, signal: String, payload: JSONValue, saga: BoundSaga)
        -> HistoryEvent.Kind
    {
        guard case .signalWait(let wait) = saga.step(named: step)?.kind else {
            return .stepCompleted(step: step, attempt: 1, result: payload)
        }
        switch wait.onSignal(signal, payload) {
        case .success(let result):
            return .stepCompleted(step: step, attempt: 1, result: result)
        case .failure(let error):
            return .stepFailed(step: step, attempt: 1, error: error, nextAttemptAt: nil)
        }
    }

    private static func consume(_ signal: SignalDelivery, state: SagaState, saga: BoundSaga) -> DecisionUnit {
        var unit: DecisionUnit
        switch signal.name {
        case SagaSignal.cancel:
            unit = .proceed([.cancelRequested(signal, applied: state.acceptsCancel)])
        case SagaSignal.retry:
            unit = .proceed([.retryRequested(signal, applied: state.status == .stuck)])
        case SagaSignal.revert:
            unit = .proceed([.revertRequested(signal, applied: state.status == .completed && !state.revertRequested)])
        default:
            if state.acceptsSignal(signal), let current = state.current {
                unit = .proceed([
                    .signalReceived(signal, step: current.name, applied: true),
                    waitOutcome(current.name, signal: signal.name, payload: signal.payload, saga: saga),
                ])
            } else {
                unit = .proceed([.signalReceived(signal, step: nil, applied: false)])
            }
        }
        unit.consumesSignal = true
        return unit
    }

    // MARK: Compensation

    private static func compensating(
        _ cause: CompensationCause,
        state: SagaState,
        saga: BoundSaga,
        failedStep: String? = nil,
        error: StepError? = nil
    ) -> HistoryEvent.Kind {
        .sagaCompensating(
            cause: cause, failedStep: failedStep, error: error, plan: plan(for: cause, state: state, saga: saga))
    }

    /// The compensations to run for `cause`: the completed steps in reverse, preceded by the failed step when its
    /// outcome is uncertain (not for a revert), keeping only steps that have a compensation.
    static func plan(for cause: CompensationCause, state: SagaState, saga: BoundSaga) -> [PlannedCompensation] {
        let uncertain = cause == .revert ? [] : (state.uncertainStep.map { [$0] } ?? [])
        return (uncertain + state.completedSteps.reversed()).compactMap { name in
            guard let compensation = saga.step(named: name)?.action?.compensation else { return nil }
            return PlannedCompensation(step: name, compensation: compensation.name)
        }
    }

    private static func compensationUnit(state: SagaState, saga: BoundSaga, now: Date) -> DecisionUnit {
        guard let progress = state.compensation else { return .effect(.park(until: nil)) }
        guard let entry = progress.currentEntry else {
            let final: HistoryEvent.Kind =
                switch progress.cause {
                case .failure: .sagaCompensated
                case .cancel: .sagaCancelled
                case .revert: .sagaReverted
                }
            return .effect(.done, [final])
        }
        switch progress.phase {
        case .ready:
            break
        case .retryPending(let nextAttemptAt):
            guard now >= nextAttemptAt else { return .effect(.park(until: nextAttemptAt)) }
        case .running:
            return .effect(.park(until: nil))
        case .exhausted(let error):
            return .effect(.park(until: nil), [.sagaStuck(compensation: entry.compensation, error: error)])
        }
        let attempt = progress.attempt + 1
        return .effect(
            .runCompensation(name: entry.compensation, forStep: entry.step, attempt: attempt),
            [.compensationStarted(compensation: entry.compensation, forStep: entry.step, attempt: attempt)]
        )
    }
}

import Foundation

/// The fold: how each event changes a saga's state. An event that does not fit the state is refused.
///
/// | event                       | requires                                   | then                                              |
/// | --------------------------- | ------------------------------------------ | ------------------------------------------------- |
/// | `SagaStarted`               | an empty history                           | RUNNING                                           |
/// | `StepScheduled`             | RUNNING, no current step, no cancel        | the step is current, `scheduled`                  |
/// | `StepStarted`               | the current action, scheduled or retrying  | `running(attempt)`                                |
/// | `StepCompleted`             | the current step's outcome is pending      | the step is done; no current step                 |
/// | `StepFailed`                | the current step's outcome is pending      | `retryPending(at)`, or `failed` without a retry   |
/// | `StepSkipped`               | RUNNING, no current step                   | the step is recorded as skipped                   |
/// | `TimerStarted` / `Fired`    | the current timer step                     | `timer(fireAt)` / `timerFired`                    |
/// | `SignalWaitStarted`         | the current wait step                      | WAITING, `waiting(signals, deadline)`             |
/// | `SignalReceived`            | the next inbox signal                      | when applied: RUNNING, `signalAccepted`           |
/// | `SignalWaitTimedOut`        | WAITING, at or after the deadline          | RUNNING, `waitTimedOut`                           |
/// | `CancelRequested`           | the next inbox signal                      | when applied: cancel pending, waits end           |
/// | `RetryRequested`            | the next inbox signal                      | when applied (STUCK): a fresh attempt budget      |
/// | `RevertRequested`           | the next inbox signal                      | when applied (COMPLETED): revert pending          |
/// | `SagaCompensating`          | a failed step, a cancel or a revert        | COMPENSATING with its plan                        |
/// | `CompensationStarted`       | the plan's next entry, ready or retrying   | `running(attempt)`                                |
/// | `CompensationCompleted`     | that attempt runs                          | the next entry is ready                           |
/// | `CompensationFailed`        | that attempt runs                          | `retryPending(at)`, or `exhausted`                |
/// | `SagaStuck`                 | an exhausted compensation, or a failed step that stays STUCK | STUCK                       |
/// | `SagaCompleted`             | RUNNING, every step done, no cancel        | COMPLETED                                         |
/// | `SagaCompensated` / `Cancelled` / `Reverted` | the plan for that cause finished | COMPENSATED / CANCELLED / REVERTED  |
extension SagaState {
    /// Folds a whole history, from its first event.
    public static func fold(_ events: some Sequence<HistoryEvent>) throws(SagaStateError) -> SagaState {
        var state = SagaState.empty
        for event in events { try state.apply(event) }
        return state
    }

    /// This state with `events` applied.
    public func applying(_ events: some Sequence<HistoryEvent>) throws(SagaStateError) -> SagaState {
        var state = self
        for event in events { try state.apply(event) }
        return state
    }

    /// Applies one event; rejects an event whose `seq` is not ``lastSeq`` + 1 or that is impossible now.
    public mutating func apply(_ event: HistoryEvent) throws(SagaStateError) {
        try apply(event, kind: try event.kind())
    }

    /// Applies `event` whose typed view `kind` the caller already has (the engine made the event from it), so
    /// the event's data is not decoded again.
    ///
    /// The state changes in place, without a copy: every check of ``transition(_:event:)`` comes before its first
    /// change, so a refused event leaves the state as it was.
    mutating func apply(_ event: HistoryEvent, kind: HistoryEvent.Kind) throws(SagaStateError) {
        guard event.seq == lastSeq + 1 else { throw .outOfOrder(expected: lastSeq + 1, found: event.seq) }
        try transition(kind, event: event)
        if kind.delivery != nil { inboxConsumed += 1 }
        lastSeq = event.seq
        updatedAt = event.at
        latestEventAt = max(latestEventAt ?? event.at, event.at)
    }

    /// Checks that `kind` fits the state, then changes it; throws before any change when it does not fit.
    private mutating func transition(_ kind: HistoryEvent.Kind, event: HistoryEvent) throws(SagaStateError) {
        let at = event.at
        func refuse(_ reason: String) -> SagaStateError {
            .invalidTransition(seq: event.seq, type: event.type, status: status, reason: reason)
        }
        if lastSeq == 0 {
            guard case .sagaStarted(let definition, let version, let input, let trace) = kind else {
                throw refuse("a history begins with SagaStarted")
            }
            definitionName = definition
            definitionVersion = version
            self.input = input
            self.trace = trace
            status = .running
            startedAt = at
            return
        }
        if let delivery = kind.delivery {
            guard delivery.inboxIndex == inboxConsumed else {
                throw refuse("consumes inbox signal \(delivery.inboxIndex), expected \(inboxConsumed)")
            }
        }
        switch kind {
        case .sagaStarted:
            throw refuse("the saga already started")

        case .stepScheduled(let step, let stepKind):
            guard status == .running, current == nil, !cancelRequested else { throw refuse("no step may start now") }
            guard self.step(named: step) == nil else { throw refuse("step \(step) was already reached") }
            current = CurrentStep(name: step, kind: stepKind, attempt: 0, phase: .scheduled, lastError: nil)
            steps.append(StepInfo(name: step, kind: StepInfo.Kind(stepKind), status: .scheduled, at: at))

        case .stepStarted(let step, let attempt):
            guard status == .running, var current, current.name == step, current.kind == .action else {
                throw refuse("step \(step) is not the current action")
            }
            switch current.phase {
            case .scheduled where attempt == 1, .retryPending where attempt == current.attempt + 1:
                break
            default:
                throw refuse("attempt \(attempt) of \(step) cannot start now")
            }
            current.attempt = attempt
            current.phase = .running(attempt: attempt)
            self.current = current
            updateStep(step) { info in
                info.status = .running
                info.attempts = attempt
                info.nextAttemptAt = nil
                if info.startedAt == nil { info.startedAt = at }
            }

        case .stepCompleted(let step, let attempt, let result):
            guard status == .running, let current, current.name == step else {
                throw refuse("step \(step) is not current")
            }
            switch current.phase {
            case .running(let running) where running == attempt: break
            case .timerFired, .signalAccepted, .waitTimedOut: break
            default: throw refuse("step \(step) has no outcome pending")
            }
            updateStep(step) { info in
                info.status = .completed
                info.result = result
                info.completedAt = at
                info.attempts = max(info.attempts, attempt)
            }
            completedSteps.append(step)
            self.current = nil

        case .stepFailed(let step, let attempt, let error, let nextAttemptAt):
            guard status == .running, var current, current.name == step else {
                throw refuse("step \(step) is not current")
            }
            switch current.phase {
            case .running(let running) where running == attempt: break
            case .signalAccepted where nextAttemptAt == nil, .waitTimedOut where nextAttemptAt == nil: break
            default: throw refuse("step \(step) has no outcome pending")
            }
            current.lastError = error
            current.phase = nextAttemptAt.map { .retryPending(nextAttemptAt: $0) } ?? .failed(error)
            self.current = current
            updateStep(step) { info in
                info.status = nextAttemptAt == nil ? .failed : .retrying
                info.lastError = error
                info.failedAt = at
                info.nextAttemptAt = nextAttemptAt
                info.attempts = max(info.attempts, attempt)
            }

        case .stepSkipped(let step, let stepKind, _):
            guard status == .running, current == nil, !cancelRequested else {
                throw refuse("no step may be skipped now")
            }
            guard self.step(named: step) == nil else { throw refuse("step \(step) was already reached") }
            var info = StepInfo(name: step, kind: StepInfo.Kind(stepKind), status: .skipped, at: at)
            info.completedAt = at
            steps.append(info)

        case .timerStarted(let step, let fireAt):
            guard status == .running, var current, current.name == step, current.kind == .timer,
                current.phase == .scheduled
            else {
                throw refuse("timer \(step) cannot start now")
            }
            current.attempt = 1
            current.phase = .timer(fireAt: fireAt)
            self.current = current
            updateStep(step) { info in
                info.status = .waiting
                info.attempts = 1
                info.startedAt = at
                info.deadline = fireAt
            }

        case .timerFired(let step):
            guard status == .running, var current, current.name == step, case .timer = current.phase else {
                throw refuse("timer \(step) is not pending")
            }
            current.phase = .timerFired
            self.current = current

        case .signalWaitStarted(let step, let signals, let deadline):
            guard status == .running, var current, current.name == step, current.kind == .signalWait,
                current.phase == .scheduled
            else {
                throw refuse("wait \(step) cannot start now")
            }
            current.attempt = 1
            current.phase = .waiting(signals: signals, deadline: deadline)
            self.current = current
            status = .waiting
            updateStep(step) { info in
                info.status = .waiting
                info.attempts = 1
                info.startedAt = at
                info.deadline = deadline
            }

        case .signalReceived(let delivery, let step, let applied):
            let expected = acceptsSignal(delivery)
            guard applied == expected else {
                throw refuse("signal \(delivery.name) recorded as applied=\(applied), expected \(expected)")
            }
            guard applied else { return }
            guard var current, step == current.name else {
                throw refuse("signal applied to a step that is not waiting")
            }
            current.phase = .signalAccepted(name: delivery.name, payload: delivery.payload)
            self.current = current
            status = .running

        case .signalWaitTimedOut(let step):
            guard status == .waiting, var current, current.name == step, case .waiting(_, let deadline?) = current.phase
            else {
                throw refuse("wait \(step) has no deadline pending")
            }
            guard at >= deadline else { throw refuse("wait \(step) timed out before its deadline") }
            current.phase = .waitTimedOut
            self.current = current
            status = .running

        case .cancelRequested(_, let applied):
            let expected = acceptsCancel
            guard applied == expected else {
                throw refuse("cancel recorded as applied=\(applied), expected \(expected)")
            }
            guard applied else { return }
            cancelRequested = true
            status = .running
            if let current {
                switch current.phase {
                case .scheduled, .timer, .waiting:
                    updateStep(current.name) { info in
                        info.status = .cancelled
                        info.failedAt = at
                    }
                    self.current = nil
                default:
                    break
                }
            }

        case .retryRequested(_, let applied):
            let expected = status == .stuck
            guard applied == expected else {
                throw refuse("retry recorded as applied=\(applied), expected \(expected)")
            }
            guard applied else { return }
            if var compensation {
                compensation.budgetStart = compensation.attempt
                compensation.phase = .ready
                self.compensation = compensation
                status = .compensating
            } else if var current {
                // A forward step that gave up without compensating: a fresh budget, due at once.
                current.budgetStart = current.attempt
                current.phase = .retryPending(nextAttemptAt: at)
                self.current = current
                updateStep(current.name) { info in
                    info.status = .retrying
                    info.nextAttemptAt = at
                }
                status = .running
            }

        case .revertRequested(_, let applied):
            let expected = status == .completed && !revertRequested
            guard applied == expected else {
                throw refuse("revert recorded as applied=\(applied), expected \(expected)")
            }
            if applied { revertRequested = true }

        case .sagaCompensating(let cause, let failedStep, let error, let plan):
            let candidates = try compensationCandidates(for: cause, refuse: refuse)
            guard plan.map(\.step).isSubsequence(of: candidates) else {
                throw refuse("the compensation plan is not a reverse-order subset of the steps that may need undoing")
            }
            if cause == .failure, failedStep != current?.name { throw refuse("failedStep is not the failed step") }
            if let current {
                let failedForGood = if case .failed = current.phase { true } else { false }
                if !failedForGood {
                    updateStep(current.name) { info in
                        info.status = .cancelled
                        info.nextAttemptAt = nil
                    }
                }
                self.current = nil
            }
            compensation = CompensationProgress(cause: cause, failedStep: failedStep, error: error, plan: plan)
            status = .compensating

        case .compensationStarted(let name, let forStep, let attempt):
            guard status == .compensating, var compensation, let entry = compensation.currentEntry,
                entry.compensation == name, entry.step == forStep
            else {
                throw refuse("compensation \(name) is not next")
            }
            switch compensation.phase {
            case .ready, .retryPending: break
            default: throw refuse("compensation \(name) cannot start now")
            }
            guard attempt == compensation.attempt + 1 else {
                throw refuse("attempt \(attempt) of \(name) is out of order")
            }
            compensation.attempt = attempt
            compensation.phase = .running(attempt: attempt)
            self.compensation = compensation
            if self.compensation(named: name) == nil {
                compensations.append(
                    StepInfo(name: name, kind: .compensation, forStep: forStep, status: .running, at: at))
            }
            updateCompensation(name) { info in
                info.status = .running
                info.attempts = attempt
                info.nextAttemptAt = nil
                if info.startedAt == nil { info.startedAt = at }
            }

        case .compensationCompleted(let name, _, let attempt):
            guard status == .compensating, var compensation, compensation.currentEntry?.compensation == name,
                compensation.phase == .running(attempt: attempt)
            else {
                throw refuse("compensation \(name) attempt \(attempt) is not running")
            }
            compensation.completed += 1
            compensation.attempt = 0
            compensation.budgetStart = 0
            compensation.phase = .ready
            self.compensation = compensation
            updateCompensation(name) { info in
                info.status = .completed
                info.completedAt = at
            }

        case .compensationFailed(let name, _, let attempt, let error, let nextAttemptAt):
            guard status == .compensating, var compensation, compensation.currentEntry?.compensation == name,
                compensation.phase == .running(attempt: attempt)
            else {
                throw refuse("compensation \(name) attempt \(attempt) is not running")
            }
            compensation.phase = nextAttemptAt.map { .retryPending(nextAttemptAt: $0) } ?? .exhausted(error)
            self.compensation = compensation
            updateCompensation(name) { info in
                info.status = nextAttemptAt == nil ? .failed : .retrying
                info.lastError = error
                info.failedAt = at
                info.nextAttemptAt = nextAttemptAt
            }

        case .sagaStuck(let name, _):
            if status == .running, let current, current.name == name, case .failed = current.phase {
                status = .stuck
                return
            }
            guard status == .compensating, let compensation, compensation.currentEntry?.compensation == name,
                case .exhausted = compensation.phase
            else {
                throw refuse("neither step nor compensation \(name) has exhausted its retries")
            }
            status = .stuck

        case .sagaCompleted:
            guard status == .running, current == nil, !cancelRequested else {
                throw refuse("the saga cannot complete now")
            }
            status = .completed

        case .sagaCompensated, .sagaCancelled, .sagaReverted:
            let cause: CompensationCause =
                switch kind {
                case .sagaCompensated: .failure
                case .sagaCancelled: .cancel
                default: .revert
                }
            guard status == .compensating, let compensation, compensation.cause == cause, compensation.isFinished,
                compensation.phase == .ready
            else {
                throw refuse("compensation for \(cause.rawValue) is not finished")
            }
            status = cause.finalStatus
        }
    }

    private mutating func updateStep(_ name: String, _ update: (inout StepInfo) -> Void) {
        guard let index = steps.firstIndex(where: { $0.name == name }) else { return }
        update(&steps[index])
    }

    private mutating func updateCompensation(_ name: String, _ update: (inout StepInfo) -> Void) {
        guard let index = compensations.firstIndex(where: { $0.name == name }) else { return }
        update(&compensations[index])
    }
}

extension StepInfo.Kind {
    init(_ kind: SagaStepKind) {
        switch kind {
        case .action: self = .action
        case .timer: self = .timer
        case .signalWait: self = .signalWait
        }
    }
}

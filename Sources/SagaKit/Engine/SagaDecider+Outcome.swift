import Foundation

extension SagaDecider {
    /// The event recording how attempt `attempt` of action step `step` ended; a failure carries the next
    /// attempt's time when the policy allows another (jittered by `random`).
    static func stepOutcome(
        saga: BoundSaga,
        step: String,
        attempt: Int,
        budgetStart: Int = 0,
        result: Result<JSONValue, StepError>,
        now: Date,
        random: () -> Double
    ) -> HistoryEvent.Kind {
        switch result {
        case .success(let value):
            return .stepCompleted(step: step, attempt: attempt, result: value)
        case .failure(let raw):
            let policy = saga.step(named: step)?.action?.retryPolicy ?? .never
            let error = policy.classify(raw)
            let next = nextAttempt(
                policy: policy, error: error, attemptsInBudget: attempt - budgetStart, now: now, random: random)
            return .stepFailed(step: step, attempt: attempt, error: error, nextAttemptAt: next)
        }
    }

    /// The event recording how attempt `attempt` of compensation `compensation` ended. Attempts made before the
    /// latest operator retry do not count against the compensation's policy.
    static func compensationOutcome(
        state: SagaState,
        saga: BoundSaga,
        compensation: String,
        forStep: String,
        attempt: Int,
        result: Result<Void, StepError>,
        now: Date,
        random: () -> Double
    ) -> HistoryEvent.Kind {
        switch result {
        case .success:
            return .compensationCompleted(compensation: compensation, forStep: forStep, attempt: attempt)
        case .failure(let raw):
            let policy = saga.compensation(named: compensation)?.compensation.retryPolicy ?? .compensationDefault
            let error = policy.classify(raw)
            let inBudget = attempt - (state.compensation?.budgetStart ?? 0)
            let next = nextAttempt(policy: policy, error: error, attemptsInBudget: inBudget, now: now, random: random)
            return .compensationFailed(
                compensation: compensation, forStep: forStep, attempt: attempt, error: error, nextAttemptAt: next)
        }
    }

    /// `kind` with its retry withdrawn when the history is within a few events of `limit`: the failure becomes the
    /// attempt's last, so the saga compensates or goes STUCK instead of growing its history further.
    static func withinHistoryLimit(_ kind: HistoryEvent.Kind, lastSeq: Int64, limit: Int) -> HistoryEvent.Kind {
        guard lastSeq + 16 >= Int64(limit) else { return kind }
        func capped(_ error: StepError) -> StepError {
            var error = error
            error.message += " (no retry: the saga's history reached its limit of \(limit) events)"
            return error
        }
        switch kind {
        case .stepFailed(let step, let attempt, let error, _?):
            return .stepFailed(step: step, attempt: attempt, error: capped(error), nextAttemptAt: nil)
        case .compensationFailed(let name, let forStep, let attempt, let error, _?):
            return .compensationFailed(
                compensation: name, forStep: forStep, attempt: attempt, error: capped(error), nextAttemptAt: nil)
        default:
            return kind
        }
    }

    /// When the next attempt is due, or `nil` when the error is not retryable or the policy is exhausted.
    static func nextAttempt(
        policy: RetryPolicy, error: StepError, attemptsInBudget: Int, now: Date, random: () -> Double
    ) -> Date? {
        guard error.retryable, policy.allowsAnotherAttempt(after: attemptsInBudget) else { return nil }
        let delay = policy.delay(beforeAttempt: attemptsInBudget + 1, randomUnit: random())
        return SagaTime.adding(delay, to: SagaTime.truncated(now))
    }

    /// A failure for an attempt recorded as started whose outcome never was (its executor stopped): the effect
    /// may have happened, so it is a retryable failure and counts as an attempt.
    static func interruptedAttempt(state: SagaState, saga: BoundSaga, now: Date, random: () -> Double) -> HistoryEvent
        .Kind?
    {
        if let current = state.current, case .running(let attempt) = current.phase {
            return stepOutcome(
                saga: saga, step: current.name, attempt: attempt, budgetStart: current.budgetStart,
                result: .failure(.interrupted(attempt: attempt)), now: now, random: random
            )
        }
        if state.status == .compensating, let progress = state.compensation, let entry = progress.currentEntry,
            case .running(let attempt) = progress.phase
        {
            return compensationOutcome(
                state: state, saga: saga, compensation: entry.compensation, forStep: entry.step, attempt: attempt,
                result: .failure(.interrupted(attempt: attempt)), now: now, random: random
            )
        }
        return nil
    }
}

import Foundation

/// Checks a recorded history against a definition by re-running the engine's pure decider over it.
///
/// Each recorded decision is compared with what the definition decides at that point, using the event's
/// recorded time as "now" and the recorded signals; attempt outcomes are taken as recorded, and their retry
/// times are checked against the retry policy's bounds (jitter makes the exact value random). Checking stops
/// at the first divergence, as later decisions depend on it.
///
/// ```swift
/// let issues = SagaReplayer.check(history: record.events, against: orderSaga)
/// #expect(issues.isEmpty)
/// ```
public enum SagaReplayer {
    /// Checks `history` against `definition`; with `expectFinished`, a history that has not reached a terminal
    /// status is an issue too.
    public static func check<Input: Codable & Sendable>(
        history: [HistoryEvent],
        against definition: SagaDefinition<Input>,
        expectFinished: Bool = true
    ) -> [ReplayIssue] {
        check(history: history, against: definition.erased, expectFinished: expectFinished)
    }

    /// Checks `history` against a type-erased `definition`.
    public static func check(
        history: [HistoryEvent], against definition: AnySagaDefinition, expectFinished: Bool = true
    ) -> [ReplayIssue] {
        var replay = Replay(history: history, definition: definition)
        replay.run(expectFinished: expectFinished)
        return replay.issues
    }
}

/// One replay in progress.
private struct Replay {
    let history: [HistoryEvent]
    let definition: AnySagaDefinition
    var issues: [ReplayIssue] = []
    private static let midpoint: @Sendable () -> Double = { 0.5 }

    init(history: [HistoryEvent], definition: AnySagaDefinition) {
        self.history = history
        self.definition = definition
    }

    mutating func run(expectFinished: Bool) {
        guard let first = history.first else {
            issue(.notFinished, nil, "the history is empty")
            return
        }
        guard case .sagaStarted(let name, let version, let input, _)? = try? first.kind() else {
            issue(.invalidHistory, first.seq, "a history begins with SagaStarted")
            return
        }
        guard name == definition.name, version == definition.version else {
            issue(
                .definitionMismatch, first.seq,
                "started on \(name) v\(version), checked against \(definition.name) v\(definition.version)")
            return
        }
        let saga: BoundSaga
        var state = SagaState.empty
        do {
            saga = try definition.bind(input: input)
            try state.apply(first)
        } catch {
            issue(.definitionMismatch, first.seq, "the input does not fit the definition: \(error)")
            return
        }
        var index = 1
        while index < history.count {
            guard let consumed = step(&state, saga: saga, at: index) else { return }
            index += consumed
        }
        finish(state, saga: saga, expectFinished: expectFinished)
    }

    /// Checks the recorded events from `index`; returns how many it consumed, or `nil` after an issue.
    private mutating func step(_ state: inout SagaState, saga: BoundSaga, at index: Int) -> Int? {
        let event = history[index]
        let recorded: HistoryEvent.Kind
        do {
            recorded = try event.kind()
        } catch {
            issue(.invalidHistory, event.seq, "\(error)")
            return nil
        }
        if state.hasAttemptInFlight {
            guard checkOutcome(recorded, state: state, saga: saga, event: event) else { return nil }
            return apply([event], to: &state) ? 1 : nil
        }
        let unit = SagaDecider.nextUnit(
            state: state, saga: saga, signal: recorded.delivery, now: event.at, random: Self.midpoint)
        guard !unit.kinds.isEmpty else {
            issue(
                unknownOr(.unexpectedEvent, event), event.seq,
                "nothing is due here (\(describe(unit.effect))), but the history records \(event.type)")
            return nil
        }
        for (offset, expected) in unit.kinds.enumerated() {
            guard index + offset < history.count else {
                issue(
                    .missingDecision, history.last?.seq,
                    "the definition decides \(expected.type.rawValue) next; the history ends")
                return nil
            }
            let actual = history[index + offset]
            guard let actualKind = try? actual.kind() else {
                issue(.invalidHistory, actual.seq, "malformed \(actual.type)")
                return nil
            }
            if let mismatch = Self.mismatch(
                expected: expected, recorded: actualKind, at: actual.at, state: state, saga: saga)
            {
                issue(unknownOr(.unexpectedEvent, actual), actual.seq, mismatch)
                return nil
            }
        }
        let events = Array(history[index..<(index + unit.kinds.count)])
        return apply(events, to: &state) ? events.count : nil
    }

    /// Checks the recorded outcome of the attempt in flight.
    private mutating func checkOutcome(
        _ recorded: HistoryEvent.Kind, state: SagaState, saga: BoundSaga, event: HistoryEvent
    ) -> Bool {
        let expected: HistoryEvent.Kind?
        switch recorded {
        case .stepCompleted(let step, let attempt, _)
        where state.current?.name == step && state.current?.phase == .running(attempt: attempt):
            return true
        case .compensationCompleted(let name, _, let attempt)
        where state.compensation?.currentEntry?.compensation == name
            && state.compensation?.phase == .running(attempt: attempt):
            return true
        case .stepFailed(let step, let attempt, let error, _)
        where state.current?.name == step && state.current?.phase == .running(attempt: attempt):
            expected = SagaDecider.stepOutcome(
                saga: saga, step: step, attempt: attempt, result: .failure(error), now: event.at, random: Self.midpoint)
        case .compensationFailed(let name, let forStep, let attempt, let error, _)
        where state.compensation?.currentEntry?.compensation == name
            && state.compensation?.phase == .running(attempt: attempt):
            expected = SagaDecider.compensationOutcome(
                state: state, saga: saga, compensation: name, forStep: forStep, attempt: attempt,
                result: .failure(error), now: event.at, random: Self.midpoint
            )
        default:
            let running = state.currentAttemptDescription
            issue(
                unknownOr(.unexpectedEvent, event), event.seq, "expected the outcome of \(running), found \(event.type)"
            )
            return false
        }
        if let expected,
            let mismatch = Self.mismatch(expected: expected, recorded: recorded, at: event.at, state: state, saga: saga)
        {
            issue(.retryOutOfPolicy, event.seq, mismatch)
            return false
        }
        return true
    }

    private mutating func finish(_ state: SagaState, saga: BoundSaga, expectFinished: Bool) {
        guard let last = history.last else { return }
        if !state.hasAttemptInFlight {
            let unit = SagaDecider.nextUnit(state: state, saga: saga, signal: nil, now: last.at, random: Self.midpoint)
            if let next = unit.kinds.first {
                issue(
                    .missingDecision, last.seq,
                    "the definition decides \(next.type.rawValue) right after the last event")
                return
            }
        }
        if expectFinished, !state.status.isTerminal {
            issue(.notFinished, last.seq, "the saga is \(state.status.rawValue) at the end of the history")
        }
    }

    private mutating func apply(_ events: [HistoryEvent], to state: inout SagaState) -> Bool {
        for event in events {
            do {
                try state.apply(event)
            } catch {
                issue(.invalidHistory, event.seq, "\(error)")
                return false
            }
        }
        return true
    }

    private mutating func issue(_ kind: ReplayIssue.Kind, _ seq: Int64?, _ message: String) {
        issues.append(ReplayIssue(kind: kind, seq: seq, message: message))
    }

    /// `.unknownStep` when the event names a step or compensation the definition lacks, else `kind`.
    private func unknownOr(_ kind: ReplayIssue.Kind, _ event: HistoryEvent) -> ReplayIssue.Kind {
        guard let step = event.step else { return kind }
        let known = definition.steps.contains { $0.name == step || $0.compensation == step }
        return known ? kind : .unknownStep
    }

    private func describe(_ effect: SagaEffect?) -> String {
        switch effect {
        case .park(let until?)?: "the saga waits until \(SagaTime.format(until))"
        case .park(nil)?: "the saga waits for a signal"
        case .done?: "the saga is finished"
        case .runStep(let name, let attempt)?: "attempt \(attempt) of \(name) runs"
        case .runCompensation(let name, _, let attempt)?: "attempt \(attempt) of \(name) runs"
        case nil: "nothing"
        }
    }

    /// Why `recorded` is not the decision `expected`; retry times are compared against the policy's jitter bounds.
    private static func mismatch(
        expected: HistoryEvent.Kind,
        recorded: HistoryEvent.Kind,
        at: Date,
        state: SagaState,
        saga: BoundSaga
    ) -> String? {
        switch (expected, recorded) {
        case (
            .stepFailed(let step, let attempt, let error, let next),
            .stepFailed(let rStep, let rAttempt, let rError, let rNext)
        ):
            guard step == rStep, attempt == rAttempt, error == rError else {
                return
                    "expected StepFailed(\(step), attempt \(attempt), \(error)), found StepFailed(\(rStep), attempt \(rAttempt), \(rError))"
            }
            let policy = saga.step(named: step)?.action?.retryPolicy ?? .never
            return retryMismatch(
                next: next, recorded: rNext, policy: policy, attemptsInBudget: attempt, at: at, what: step)
        case (
            .compensationFailed(let name, let forStep, let attempt, let error, let next),
            .compensationFailed(let rName, let rForStep, let rAttempt, let rError, let rNext)
        ):
            guard name == rName, forStep == rForStep, attempt == rAttempt, error == rError else {
                return
                    "expected CompensationFailed(\(name), attempt \(attempt)), found CompensationFailed(\(rName), attempt \(rAttempt))"
            }
            let policy = saga.compensation(named: name)?.compensation.retryPolicy ?? .compensationDefault
            let inBudget = attempt - (state.compensation?.budgetStart ?? 0)
            return retryMismatch(
                next: next, recorded: rNext, policy: policy, attemptsInBudget: inBudget, at: at, what: name)
        default:
            return expected == recorded ? nil : "expected \(summary(expected)), found \(summary(recorded))"
        }
    }

    private static func retryMismatch(
        next: Date?, recorded: Date?, policy: RetryPolicy, attemptsInBudget: Int, at: Date, what: String
    ) -> String? {
        switch (next, recorded) {
        case (nil, nil):
            return nil
        case (.some, nil):
            return
                "\(what) should be retried (attempt \(attemptsInBudget + 1) of \(policy.maximumAttempts)) but the history gives up"
        case (nil, .some):
            return "\(what) must not be retried here, but the history schedules another attempt"
        case (.some, .some(let recorded)):
            let bounds = policy.delayBounds(beforeAttempt: attemptsInBudget + 1)
            let low = SagaTime.adding(bounds.lowerBound - .milliseconds(1), to: at)
            let high = SagaTime.adding(bounds.upperBound + .milliseconds(1), to: at)
            guard recorded >= low, recorded <= high else {
                return
                    "the retry of \(what) at \(SagaTime.format(recorded)) lies outside \(SagaTime.format(low))…\(SagaTime.format(high))"
            }
            return nil
        }
    }

    private static func summary(_ kind: HistoryEvent.Kind) -> String {
        let event = HistoryEvent(seq: 0, at: Date(timeIntervalSince1970: 0), kind: kind)
        var text = event.type
        if let step = event.step { text += "(\(step)" + (event.attempt.map { ", attempt \($0)" } ?? "") + ")" }
        if case .sagaCompensating(_, _, _, let plan) = kind {
            text += " [" + plan.map(\.compensation).joined(separator: ", ") + "]"
        }
        return text
    }
}

extension SagaState {
    /// "attempt N of X" for the attempt in flight.
    fileprivate var currentAttemptDescription: String {
        if let current, case .running(let attempt) = current.phase { return "attempt \(attempt) of \(current.name)" }
        if let entry = compensation?.currentEntry, case .running(let attempt)? = compensation?.phase {
            return "attempt \(attempt) of \(entry.compensation)"
        }
        return "no attempt"
    }
}

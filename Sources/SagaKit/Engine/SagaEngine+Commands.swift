import Foundation

extension SagaEngine {
    /// Sends signal `name` to a saga waiting for it (an approval, say).
    ///
    /// Applies only when the saga is WAITING on a step that accepts `name` and no signal answering that wait is
    /// already in the inbox (`waitAnswered` then: a second approve, or a reject after an approve, changes nothing
    /// and is not recorded). The reserved names (``SagaSignal``) are routed to ``cancel(sagaId:payload:)``,
    /// ``retry(sagaId:payload:)`` and ``revert(sagaId:payload:)``. A signal that loses a race with the wait's own
    /// deadline is refused once the timeout is recorded; one recorded before it, whose wait then times out first, stays
    /// in the history as not applied.
    public func signal(sagaId: String, name: String, payload: JSONValue = .null) async throws -> SagaCommandOutcome {
        switch name {
        case SagaSignal.cancel: return try await cancel(sagaId: sagaId, payload: payload)
        case SagaSignal.retry: return try await retry(sagaId: sagaId, payload: payload)
        case SagaSignal.revert: return try await revert(sagaId: sagaId, payload: payload)
        default: break
        }
        return try await command(sagaId: sagaId) { snapshot in
            let state = snapshot.state
            guard state.status == .waiting, case .waiting(let signals, _) = state.current?.phase,
                signals.contains(name)
            else {
                return .answer(.notApplicable(state.status))
            }
            if let answered = snapshot.pending.first(where: { signals.contains($0.name) }) {
                return .answer(.waitAnswered(by: answered.name))
            }
            return .send(name, payload, answer: .accepted)
        }
    }

    /// Cancels a saga: no new step starts; the step in flight finishes; then what was done is compensated
    /// and the saga ends CANCELLED. A waiting saga stops waiting at once.
    ///
    /// Accepted while RUNNING or WAITING. During compensation or while STUCK it is recorded but changes nothing
    /// (`notApplicable`); on a terminal saga it is not recorded (`notApplicable`). A cancel already requested is
    /// not recorded again. `payload` travels with the signal into the history (a `reason`, who asked).
    public func cancel(sagaId: String, payload: JSONValue = .null) async throws -> SagaCommandOutcome {
        try await command(sagaId: sagaId) { snapshot in
            let requested = snapshot.state.cancelRequested || snapshot.hasPending(SagaSignal.cancel)
            switch snapshot.state.status {
            case .running, .waiting:
                return requested ? .answer(.accepted) : .send(SagaSignal.cancel, payload, answer: .accepted)
            case .compensating, .stuck:
                let outcome = SagaCommandOutcome.notApplicable(snapshot.state.status)
                return requested ? .answer(outcome) : .send(SagaSignal.cancel, payload, answer: outcome)
            case .completed, .compensated, .cancelled, .reverted:
                return .answer(.notApplicable(snapshot.state.status))
            }
        }
    }

    /// Resumes a STUCK saga's compensation with a fresh attempt budget (an operator's retry).
    /// A retry already pending is not sent again. `payload` travels with the signal into the history.
    public func retry(sagaId: String, payload: JSONValue = .null) async throws -> SagaCommandOutcome {
        try await command(sagaId: sagaId) { snapshot in
            guard snapshot.state.status == .stuck else { return .answer(.notApplicable(snapshot.state.status)) }
            if snapshot.hasPending(SagaSignal.retry) { return .answer(.accepted) }
            return .send(SagaSignal.retry, payload, answer: .accepted)
        }
    }

    /// Reverts a COMPLETED saga: every completed step is compensated in reverse and the saga ends REVERTED.
    /// A second revert (pending or done) sends nothing more. `payload` travels with the signal into the history.
    public func revert(sagaId: String, payload: JSONValue = .null) async throws -> SagaCommandOutcome {
        try await command(sagaId: sagaId) { snapshot in
            guard snapshot.state.status == .completed, !snapshot.state.revertRequested else {
                return .answer(.notApplicable(snapshot.state.status))
            }
            if snapshot.hasPending(SagaSignal.revert) { return .answer(.accepted) }
            return .send(SagaSignal.revert, payload, answer: .accepted)
        }
    }

    /// The saga's record with its folded state; `nil` when there is none.
    public nonisolated func snapshot(sagaId: String) async throws -> SagaSnapshot? {
        guard let record = try await store.load(sagaId: sagaId) else { return nil }
        return SagaSnapshot(record: record, state: try SagaState.fold(record.events))
    }

    /// What a command decided on one snapshot.
    private enum CommandDecision {
        /// Answer without recording anything.
        case answer(SagaCommandOutcome)
        /// Record the signal `name`, then answer.
        case send(String, JSONValue, answer: SagaCommandOutcome)
    }

    /// Decides a command on a snapshot and records its signal only if the saga is still as that snapshot saw it (the
    /// same status, step and inbox); when any of them changed since, decides again on a fresh snapshot.
    ///
    /// So two commands racing on one saga are decided one after the other: of two concurrent approves one is
    /// recorded, and a repeated refund finds the first one pending instead of recording a second. A command racing
    /// the saga's own progress is decided on where the saga got to: a cancel that a completion overtakes is refused
    /// as for a completed saga, and nothing is recorded.
    private func command(sagaId: String, decide: (SagaSnapshot) -> CommandDecision) async throws
        -> SagaCommandOutcome
    {
        var attempts = 0
        while true {
            guard let snapshot = try await snapshot(sagaId: sagaId) else { return .notFound }
            switch decide(snapshot) {
            case .answer(let outcome):
                return outcome
            case .send(let name, let payload, let answer):
                let signal = SagaSignalRecord(name: name, payload: payload, at: clock.now)
                if try await store.sendSignal(
                    sagaId: sagaId, signal: signal, ifUnchangedSince: SignalCondition(snapshot.record))
                {
                    await claim(sagaId)
                    return answer
                }
            }
            attempts += 1
            guard attempts < Self.commandAttempts else {
                throw HistoryStoreError.unavailable(
                    "saga \(sagaId): it kept changing under \(attempts) tries of the command")
            }
        }
    }

    /// How many snapshots a command decides on before it gives up on a saga that keeps changing under it.
    private static var commandAttempts: Int { 16 }
}

/// A saga's stored record together with the state folded from its history.
public struct SagaSnapshot: Sendable, Hashable {
    /// The stored record (summary, lease, inbox, events).
    public let record: SagaRecord
    /// The state folded from the record's events.
    public let state: SagaState

    /// Creates a snapshot.
    public init(record: SagaRecord, state: SagaState) {
        self.record = record
        self.state = state
    }

    /// The inbox signals the history has not consumed yet, oldest first.
    public var pending: ArraySlice<SagaSignalRecord> { record.inbox.dropFirst(state.inboxConsumed) }

    /// Whether a signal named `name` waits in the inbox, not yet consumed by the history.
    public func hasPending(_ name: String) -> Bool {
        pending.contains { $0.name == name }
    }
}

import Foundation

extension SagaEngine {
    /// Sends signal `name` to a saga waiting for it (an approval, say).
    ///
    /// Applies only when the saga is WAITING on a step that accepts `name`; the reserved names
    /// (``SagaSignal``) are routed to ``cancel(sagaId:reason:)``, ``retry(sagaId:)`` and ``revert(sagaId:)``.
    /// The status is checked on a snapshot: a signal that loses a race (the wait timed out meanwhile) is
    /// still recorded, as not applied.
    public func signal(sagaId: String, name: String, payload: JSONValue = .null) async throws -> SagaCommandOutcome {
        switch name {
        case SagaSignal.cancel: return try await cancel(sagaId: sagaId, reason: payload["reason"]?.stringValue)
        case SagaSignal.retry: return try await retry(sagaId: sagaId)
        case SagaSignal.revert: return try await revert(sagaId: sagaId)
        default: break
        }
        guard let snapshot = try await snapshot(sagaId: sagaId) else { return .notFound }
        let state = snapshot.state
        guard state.status == .waiting, case .waiting(let signals, _) = state.current?.phase, signals.contains(name)
        else {
            return .notApplicable(state.status)
        }
        return try await push(sagaId: sagaId, name: name, payload: payload)
    }

    /// Cancels a saga: no new step starts; the step in flight finishes; then what was done is compensated
    /// and the saga ends CANCELLED. A waiting saga stops waiting at once.
    ///
    /// Accepted while RUNNING or WAITING (and idempotent: a cancel already pending is not sent again).
    /// During compensation or while STUCK it is recorded but changes nothing (`notApplicable`); on a
    /// terminal saga it is not recorded (`notApplicable`).
    public func cancel(sagaId: String, reason: String? = nil) async throws -> SagaCommandOutcome {
        guard let snapshot = try await snapshot(sagaId: sagaId) else { return .notFound }
        let payload: JSONValue = reason.map { ["reason": .string($0)] } ?? ["reason": .null]
        switch snapshot.state.status {
        case .running, .waiting:
            if snapshot.state.cancelRequested || snapshot.hasPending(SagaSignal.cancel) { return .accepted }
            return try await push(sagaId: sagaId, name: SagaSignal.cancel, payload: payload)
        case .compensating, .stuck:
            _ = try await push(sagaId: sagaId, name: SagaSignal.cancel, payload: payload)
            return .notApplicable(snapshot.state.status)
        case .completed, .compensated, .cancelled, .reverted:
            return .notApplicable(snapshot.state.status)
        }
    }

    /// Resumes a STUCK saga's compensation with a fresh attempt budget (an operator's retry).
    public func retry(sagaId: String) async throws -> SagaCommandOutcome {
        guard let snapshot = try await snapshot(sagaId: sagaId) else { return .notFound }
        guard snapshot.state.status == .stuck else { return .notApplicable(snapshot.state.status) }
        if snapshot.hasPending(SagaSignal.retry) { return .accepted }
        return try await push(sagaId: sagaId, name: SagaSignal.retry, payload: .null)
    }

    /// Reverts a COMPLETED saga: every completed step is compensated in reverse and the saga ends REVERTED.
    /// A second revert (pending or done) sends nothing more.
    public func revert(sagaId: String) async throws -> SagaCommandOutcome {
        guard let snapshot = try await snapshot(sagaId: sagaId) else { return .notFound }
        guard snapshot.state.status == .completed, !snapshot.state.revertRequested else {
            return .notApplicable(snapshot.state.status)
        }
        if snapshot.hasPending(SagaSignal.revert) { return .accepted }
        return try await push(sagaId: sagaId, name: SagaSignal.revert, payload: .null)
    }

    /// The saga's record with its folded state; `nil` when there is none.
    public nonisolated func snapshot(sagaId: String) async throws -> SagaSnapshot? {
        guard let record = try await store.load(sagaId: sagaId) else { return nil }
        return SagaSnapshot(record: record, state: try SagaState.fold(record.events))
    }

    private func push(sagaId: String, name: String, payload: JSONValue) async throws -> SagaCommandOutcome {
        let signal = SagaSignalRecord(name: name, payload: payload, at: clock.now)
        guard try await store.sendSignal(sagaId: sagaId, signal: signal) else { return .notFound }
        await claim(sagaId)
        return .accepted
    }
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

    /// Whether a signal named `name` waits in the inbox, not yet consumed by the history.
    public func hasPending(_ name: String) -> Bool {
        record.inbox.dropFirst(state.inboxConsumed).contains { $0.name == name }
    }
}

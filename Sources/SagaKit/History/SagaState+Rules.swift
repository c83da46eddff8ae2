import Foundation

/// The rules the fold and the decider share: which signals apply, which step is uncertain, what may be undone.
extension SagaState {
    /// Whether a consumed wait signal is accepted by the current wait (in time, by name).
    func acceptsSignal(_ delivery: SignalDelivery) -> Bool {
        guard status == .waiting, let current, case .waiting(let signals, let deadline) = current.phase else {
            return false
        }
        guard signals.contains(delivery.name) else { return false }
        if let deadline, delivery.sentAt > deadline { return false }
        return true
    }

    /// Whether a cancel consumed now stops forward progress.
    var acceptsCancel: Bool {
        guard status == .running || status == .waiting, !cancelRequested else { return false }
        if case .failed = current?.phase { return false }
        return true
    }

    /// The forward step whose outcome is uncertain (its last failure was retryable), if any.
    var uncertainStep: String? {
        guard let current, let lastError = current.lastError, lastError.retryable else { return nil }
        switch current.phase {
        case .retryPending, .failed: return current.name
        default: return nil
        }
    }

    /// The steps that may need undoing for `cause`, most recent first.
    func compensationCandidates(
        for cause: CompensationCause,
        refuse: (String) -> SagaStateError
    ) throws(SagaStateError) -> [String] {
        switch cause {
        case .failure:
            guard status == .running, case .failed = current?.phase else { throw refuse("no step failed for good") }
            return (uncertainStep.map { [$0] } ?? []) + completedSteps.reversed()
        case .cancel:
            guard status == .running, cancelRequested, !hasAttemptInFlight else { throw refuse("no cancel is pending") }
            return (uncertainStep.map { [$0] } ?? []) + completedSteps.reversed()
        case .revert:
            guard status == .completed, revertRequested else { throw refuse("no revert is pending") }
            return completedSteps.reversed()
        }
    }
}

extension Array where Element: Equatable {
    /// Whether every element of `self` appears in `other`, in the same order.
    func isSubsequence(of other: [Element]) -> Bool {
        var iterator = other.makeIterator()
        return allSatisfy { element in
            while let candidate = iterator.next() {
                if candidate == element { return true }
            }
            return false
        }
    }
}

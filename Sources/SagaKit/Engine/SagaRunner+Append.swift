import Foundation
import Logging

/// Writing a held saga's events: retries, conflicts, and the hand-over on shutdown.
extension SagaRunner {
    /// Writes what the saga produced (outcome events only, no new decision) and releases it, due at once.
    func handOver(_ held: inout Held) async -> RunnerExit {
        while true {
            let now = SagaTime.truncated(clock.now)
            let request = AppendRequest(
                sagaId: sagaId,
                owner: owner,
                expectedSeq: held.record.lastSeq,
                expectedInboxCount: held.record.inbox.count,
                expectedStatus: held.record.status,
                events: held.facts,
                status: held.state.status,
                currentStep: held.state.currentStepName,
                currentAttempt: held.state.currentAttempt,
                dueAt: now,
                lease: .release
            )
            switch await appendWithRetry(request) {
            case .appended: return .handedOver
            case .inboxChanged(let current): held.record = current
            case .lost: return .dropped
            case .abandoned: return .abandoned
            }
        }
    }

    /// Appends, retrying store failures with a short backoff; tells an inbox conflict from a lost saga, and
    /// recognises a retried write that had in fact landed.
    func appendWithRetry(_ request: AppendRequest) async -> AppendResult {
        var failures = 0
        while true {
            guard !lifecycle.isCrashed, !Task.isCancelled else { return .abandoned }
            do {
                try await store.append(request)
                return .appended
            } catch HistoryStoreError.conflict(let conflict) {
                if failures > 0, Self.alreadyWritten(request, in: conflict.current) { return .appended }
                if conflict.reason == .inboxChanged { return .inboxChanged(conflict.current) }
                logger.notice(
                    "append conflict; another executor owns the saga",
                    metadata: ["reason": "\(conflict.reason.rawValue)"])
                return .lost
            } catch HistoryStoreError.notFound {
                logger.error("the saga disappeared from the store")
                return .lost
            } catch {
                failures += 1
                let leaseLeft = leases.entry(sagaId).map { $0.until > clock.now } ?? false
                guard failures <= configuration.storeRetryLimit, leaseLeft else {
                    logger.error("the store keeps failing; dropping the saga", metadata: ["error": "\(error)"])
                    return .lost
                }
                logger.warning("append failed; retrying", metadata: ["error": "\(error)", "failures": "\(failures)"])
                try? await Task.sleep(for: .milliseconds(min(1000, 10 << min(failures, 7))))
            }
        }
    }

    /// Whether an earlier try of `request` landed: its events are the tail of `record`'s history, or, without events, the
    /// status it set is there.
    static func alreadyWritten(_ request: AppendRequest, in record: SagaRecord) -> Bool {
        guard !request.events.isEmpty else {
            // Without events an append changes the summary only; one that changed the status shows it landed by the
            // status it set, everything else being as it expected.
            let owner: String? =
                switch request.lease {
                case .keep: request.owner
                case .release: nil
                }
            return request.status != request.expectedStatus && record.status == request.status
                && record.lastSeq == request.expectedSeq && record.leaseOwner == owner
                && record.inbox.count == request.expectedInboxCount
        }
        guard record.lastSeq == request.expectedSeq + Int64(request.events.count) else { return false }
        return Array(record.events.suffix(request.events.count)) == request.events
    }
}

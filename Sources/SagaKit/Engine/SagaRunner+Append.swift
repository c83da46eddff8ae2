import Foundation
import Logging

/// Writing a held saga's events: retries, conflicts, and the hand-over on shutdown.
extension SagaRunner {
    /// How a hand-over ended.
    enum HandOver {
        /// It let go of the saga so.
        case exited(RunnerExit)
        /// The writes its outcome's step deferred were refused: the attempt runs again, to make them itself.
        case runAgain(SagaEffect)
    }

    /// Writes what the saga produced (outcome events only, no new decision) and releases it, due at once.
    func handOver(_ held: inout Held) async -> HandOver {
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
            switch await appendWithRetry(request, after: held.deferred?.writes) {
            case .appended: return .exited(.handedOver)
            case .writesRefused:
                guard let effect = held.dropRefusedOutcome() else { return .exited(.dropped) }
                return .runAgain(effect)
            case .inboxChanged(let current):
                held.record = current
                held.settleDeferred()
            case .lost: return .exited(.dropped)
            case .abandoned: return .exited(.abandoned)
            }
        }
    }

    /// Appends after `writes` (those a step deferred), retrying store failures with a short backoff; tells a refusal
    /// of those writes and an inbox conflict from a lost saga, and recognises a retried write that had in fact landed.
    func appendWithRetry(_ request: AppendRequest, after writes: (any OutcomeWrites)?) async -> AppendResult {
        var failures = 0
        while true {
            guard !lifecycle.isCrashed, !Task.isCancelled else { return .abandoned }
            do {
                if let writes {
                    try await store.append(request, after: writes)
                } else {
                    try await store.append(request)
                }
                return .appended
            } catch HistoryStoreError.outcomeWritesRefused(let refusal) {
                logger.debug("deferred writes refused", metadata: ["refusal": "\(refusal)"])
                return .writesRefused
            } catch HistoryStoreError.conflict(let conflict) {
                if failures > 0, request.landed(in: conflict.current) { return .appended }
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
}

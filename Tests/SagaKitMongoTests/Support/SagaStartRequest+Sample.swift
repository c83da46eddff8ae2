import Foundation
import SagaKit

extension SagaStartRequest {
    /// A saga of definition `d` v1 whose first step `A` runs under `owner`'s lease for 60 s from `now`.
    static func runningFirstStep(_ sagaId: String, owner: String = "me", at now: Date) -> SagaStartRequest {
        SagaStartRequest(
            sagaId: sagaId, definitionName: "d", definitionVersion: 1, input: .null,
            events: [
                HistoryEvent(seq: 1, at: now, kind: .sagaStarted(definition: "d", version: 1, input: .null)),
                HistoryEvent(seq: 2, at: now, kind: .stepScheduled(step: "A", kind: .action)),
                HistoryEvent(seq: 3, at: now, kind: .stepStarted(step: "A", attempt: 1)),
            ],
            status: .running, currentStep: "A", owner: owner, leaseUntil: now.addingTimeInterval(60), dueAt: nil,
            startedAt: now)
    }
}

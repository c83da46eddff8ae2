import Foundation
import Orders
import SagaKit

/// A history event as the API and the event stream show it.
struct EventView: Encodable {
    let seq: Int64
    let type: String
    let step: String?
    let attempt: Int?
    let at: Date
    let data: JSONValue?

    init(_ event: HistoryEvent) {
        seq = event.seq
        type = event.type
        step = event.step
        attempt = event.attempt
        at = event.at
        data = event.data
    }
}

/// A saga's full state: status, each step's progress and the whole ordered history.
struct SagaView: Encodable {
    struct StepView: Encodable {
        struct ErrorView: Encodable {
            let kind: String
            let message: String
            let retryable: Bool
        }

        let name: String
        let kind: String
        let forStep: String?
        let status: String
        let attempts: Int
        let lastError: ErrorView?
        let scheduledAt: Date?
        let startedAt: Date?
        let completedAt: Date?
        let failedAt: Date?
        let nextAttemptAt: Date?
        let deadline: Date?

        init(_ step: StepInfo) {
            name = step.name
            kind = step.kind.rawValue
            forStep = step.forStep
            status = step.status.rawValue
            attempts = step.attempts
            lastError = step.lastError.map { ErrorView(kind: $0.kind, message: $0.message, retryable: $0.retryable) }
            scheduledAt = step.scheduledAt
            startedAt = step.startedAt
            completedAt = step.completedAt
            failedAt = step.failedAt
            nextAttemptAt = step.nextAttemptAt
            deadline = step.deadline
        }
    }

    let orderId: String
    let sagaId: String
    let definition: String
    let version: Int
    let status: OrderSagaStatus
    let step: String?
    let startedAt: Date?
    let updatedAt: Date?
    let steps: [StepView]
    let history: [EventView]

    init(orderId: String, record: SagaRecord, state: SagaState) {
        self.orderId = orderId
        sagaId = record.id
        definition = record.definitionName
        version = record.definitionVersion
        status = OrderSagaStatus(state.status)
        step = record.currentStep
        startedAt = state.startedAt
        updatedAt = state.updatedAt
        steps = (state.steps + state.compensations).map(StepView.init)
        history = record.events.map(EventView.init)
    }
}

/// One line of `GET /v1/sagas`.
struct SagaListItemView: Encodable {
    let sagaId: String
    let orderId: String?
    let status: OrderSagaStatus
    let step: String?
    let startedAt: Date
    let updatedAt: Date

    init(_ summary: SagaSummary) {
        sagaId = summary.id
        orderId = OrderID(sagaId: summary.id)?.rawValue
        status = OrderSagaStatus(summary.status)
        step = summary.currentStep
        startedAt = summary.startedAt
        updatedAt = summary.updatedAt
    }
}

/// A page of `GET /v1/sagas`.
struct SagaPageView: Encodable {
    let items: [SagaListItemView]
    let nextCursor: String?

    enum CodingKeys: String, CodingKey { case items, nextCursor }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(items, forKey: .items)
        try container.encode(nextCursor, forKey: .nextCursor)
    }
}

/// `GET /v1/sagas/stats`.
struct SagaStatsView: Encodable {
    let counts: [String: Int]
    let total: Int
}

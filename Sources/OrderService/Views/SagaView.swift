import Foundation
import Orders
import SagaKit

/// A history event as the API and the event stream show it.
struct EventView: Encodable {
    let seq: Int64
    let type: String
    @ExplicitNull var step: String?
    @ExplicitNull var attempt: Int?
    let at: Date
    /// The event's details; an empty object for events that have none.
    let data: JSONValue

    init(_ event: HistoryEvent) {
        seq = event.seq
        type = event.type
        step = event.step
        attempt = event.attempt
        at = event.at
        data = event.data ?? .object([:])
    }
}

/// A saga's full state: status, each step's progress and the whole ordered history.
struct SagaView: Encodable {
    struct StepView: Encodable {
        struct ErrorView: Encodable, Sendable {
            let kind: String
            let message: String
            let retryable: Bool
        }

        let name: String
        let kind: String
        @ExplicitNull var forStep: String?
        let status: String
        let attempts: Int
        @ExplicitNull var lastError: ErrorView?
        @ExplicitNull var scheduledAt: Date?
        @ExplicitNull var startedAt: Date?
        @ExplicitNull var completedAt: Date?
        @ExplicitNull var failedAt: Date?
        @ExplicitNull var nextAttemptAt: Date?
        @ExplicitNull var deadline: Date?

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
    @ExplicitNull var step: String?
    @ExplicitNull var startedAt: Date?
    @ExplicitNull var updatedAt: Date?
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

/// One line of `GET /v1/sagas` and one change of `GET /v1/sagas/changes`: the saga's summary with its order's
/// customer and total (null when the order is not found).
struct SagaListItemView: Encodable {
    let sagaId: String
    @ExplicitNull var orderId: String?
    let status: OrderSagaStatus
    @ExplicitNull var step: String?
    @ExplicitNull var attempt: Int?
    @ExplicitNull var customerId: String?
    @ExplicitNull var total: Money?
    let startedAt: Date
    let updatedAt: Date

    init(_ summary: SagaSummary, order: Order?) {
        sagaId = summary.id
        orderId = OrderID(sagaId: summary.id)?.rawValue
        status = OrderSagaStatus(summary.status)
        step = summary.currentStep
        attempt = summary.currentAttempt
        customerId = order?.customerId
        total = order?.total
        startedAt = summary.startedAt
        updatedAt = summary.updatedAt
    }
}

/// A page of `GET /v1/sagas`.
struct SagaPageView: Encodable {
    let items: [SagaListItemView]
    @ExplicitNull var nextCursor: String?
}

/// `GET /v1/sagas/stats`.
struct SagaStatsView: Encodable {
    let counts: [String: Int]
    let total: Int
}

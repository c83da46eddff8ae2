import Foundation
import SagaKit
import Testing

@testable import Orders

/// How commands answer when they repeat what is already under way.
@Suite("Order commands")
struct OrderCommandTests {
    static let at = SagaTime.truncated(Date())

    /// A history that reserved stock and then began to unwind for `cause`.
    static func unwinding(_ cause: CompensationCause) throws -> SagaState {
        var events: [HistoryEvent.Kind] = [
            .sagaStarted(definition: OrderSaga.name, version: 1, input: .null),
            .stepScheduled(step: "ReserveInventory", kind: .action),
            .stepStarted(step: "ReserveInventory", attempt: 1),
            .stepCompleted(step: "ReserveInventory", attempt: 1, result: .null),
            .stepScheduled(step: "ChargePayment", kind: .action),
            .stepStarted(step: "ChargePayment", attempt: 1),
        ]
        let plan = [PlannedCompensation(step: "ReserveInventory", compensation: "ReleaseInventory")]
        switch cause {
        case .cancel:
            let signal = SignalDelivery(
                signalId: "s-1", name: SagaSignal.cancel, payload: .null, inboxIndex: 0, sentAt: at)
            events += [
                .cancelRequested(signal, applied: true),
                .stepFailed(
                    step: "ChargePayment", attempt: 1, error: .retryable(kind: "Busy", message: "busy"),
                    nextAttemptAt: at.addingTimeInterval(1)),
                .sagaCompensating(cause: .cancel, failedStep: nil, error: nil, plan: plan),
            ]
        default:
            let error = StepError.nonRetryable(kind: "PaymentDeclined", message: "declined")
            events += [
                .stepFailed(step: "ChargePayment", attempt: 1, error: error, nextAttemptAt: nil),
                .sagaCompensating(cause: .failure, failedStep: "ChargePayment", error: error, plan: plan),
            ]
        }
        return try SagaState.fold(events.enumerated().map { HistoryEvent(seq: Int64($0 + 1), at: at, kind: $1) })
    }

    @Test("a cancel repeated while the cancellation compensates answers as the first time")
    func repeatedCancelWhileCompensating() throws {
        let state = try Self.unwinding(.cancel)
        #expect(state.status == .compensating)
        #expect(OrderSystem.cancelAlreadyUnderway(state) == .accepted(.compensating))
    }

    @Test("a cancel of an order compensating for another reason is not a repeat")
    func cancelWhileCompensatingAFailure() throws {
        #expect(OrderSystem.cancelAlreadyUnderway(try Self.unwinding(.failure)) == nil)
    }
}

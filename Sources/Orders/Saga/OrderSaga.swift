import Foundation
import SagaKit

/// The order saga: ReserveInventory → [AwaitApproval] → ChargePayment → CreateShipment → SendConfirmation,
/// undone in reverse by CancelShipment, RefundPayment and ReleaseInventory.
public enum OrderSaga {
    /// The definition's name in history.
    public static let name = "order-fulfillment"
    /// The version new orders start on.
    public static let version = 1

    /// The approval signals.
    public enum Signal {
        /// Lets an order waiting for approval continue.
        public static let approve = "approve"
        /// Turns an order waiting for approval down; it is compensated.
        public static let reject = "reject"
    }

    /// The definition, with each step's settings.
    static func definition(steps: OrderSagaSteps, settings: OrderSagaSettings) -> SagaDefinition<OrderSagaInput> {
        func action<Result: Codable & Sendable>(
            _ name: String, _ body: @escaping @Sendable (StepContext<OrderSagaInput>) async throws -> Result
        ) -> ActionStep<OrderSagaInput> {
            let tuning = settings.settings(for: name)
            return ActionStep(name, retryPolicy: tuning.retry, timeout: tuning.timeout, action: body)
        }
        func undo(
            _ step: ActionStep<OrderSagaInput>, _ name: String,
            _ body: @escaping @Sendable (CompensationContext<OrderSagaInput>) async throws -> Void
        ) -> ActionStep<OrderSagaInput> {
            let tuning = settings.settings(for: name)
            return step.compensate(name, retryPolicy: tuning.retry, timeout: tuning.timeout, action: body)
        }
        let threshold = settings.approvalThreshold
        return SagaDefinition(name: name, version: version) {
            undo(
                action(OrderSagaStep.reserveInventory, steps.reserveInventory), OrderSagaStep.releaseInventory,
                steps.releaseInventory)
            SignalWaitStep<OrderSagaInput>(
                OrderSagaStep.awaitApproval,
                continueOn: [Signal.approve],
                failOn: [Signal.reject: .nonRetryable(kind: "Rejected", message: "an operator rejected the order")],
                timeout: settings.approvalTimeout,
                onTimeout: .nonRetryable(kind: "ApprovalTimeout", message: "no approval arrived in time")
            )
            .when { $0.exceeds(threshold) }
            undo(
                action(OrderSagaStep.chargePayment, steps.chargePayment), OrderSagaStep.refundPayment,
                steps.refundPayment)
            undo(
                action(OrderSagaStep.createShipment, steps.createShipment), OrderSagaStep.cancelShipment,
                steps.cancelShipment)
            action(OrderSagaStep.sendConfirmation, steps.sendConfirmation).stuckWhenExhausted()
        }
    }
}

/// The names of the order saga's steps and compensations: they appear in history, in the API and in idempotency keys.
public enum OrderSagaStep {
    /// Holds the order's units.
    public static let reserveInventory = "ReserveInventory"
    /// Waits for an operator when the total is above the threshold.
    public static let awaitApproval = "AwaitApproval"
    /// Charges the card.
    public static let chargePayment = "ChargePayment"
    /// Books the shipment.
    public static let createShipment = "CreateShipment"
    /// Emails the customer.
    public static let sendConfirmation = "SendConfirmation"
    /// Undoes CreateShipment.
    public static let cancelShipment = "CancelShipment"
    /// Undoes ChargePayment.
    public static let refundPayment = "RefundPayment"
    /// Undoes ReserveInventory.
    public static let releaseInventory = "ReleaseInventory"

    /// Every step and compensation, in saga order.
    public static let all = [
        reserveInventory, awaitApproval, chargePayment, createShipment, sendConfirmation,
        cancelShipment, refundPayment, releaseInventory,
    ]
}

/// The body of `POST /payments/refunds`.
struct RefundRequest: ValidatableRequest {
    /// The order the charge belongs to.
    let orderId: String
    /// The idempotency key under which the charge to give back was (or would have been) made.
    let chargeIdempotencyKey: String

    func validate() throws(RequestValidationError) {
        try requireText(orderId, named: "orderId")
        guard IdempotencyKey(chargeIdempotencyKey) != nil else {
            throw RequestValidationError(
                message: "field 'chargeIdempotencyKey' must be 1 to 255 visible ASCII characters")
        }
    }
}

/// The body of `POST /shipping/shipments/cancel`.
struct ShipmentCancelRequest: ValidatableRequest {
    /// The order the shipment belongs to.
    let orderId: String
    /// The idempotency key under which the shipment was (or would have been) created.
    let shipmentIdempotencyKey: String

    func validate() throws(RequestValidationError) {
        try requireText(orderId, named: "orderId")
        guard IdempotencyKey(shipmentIdempotencyKey) != nil else {
            throw RequestValidationError(
                message: "field 'shipmentIdempotencyKey' must be 1 to 255 visible ASCII characters")
        }
    }
}

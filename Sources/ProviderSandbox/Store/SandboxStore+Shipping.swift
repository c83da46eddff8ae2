/// The carrier: shipments and their cancellation.
extension SandboxStore {
    /// Creates a shipment under `key`; a known key repeats its first answer, postal code `00000` is rejected.
    func createShipment(_ request: ShipmentRequest, key: IdempotencyKey) throws -> MutationOutcome {
        let scope = IdempotencyScope(.shipping, key.value)
        if let replayed = replay(scope) { return replayed }
        if state.isVoided(scope) { return Self.voidedOutcome(scope) }

        if request.address.postalCode == ShipmentRequest.rejectedPostalCode {
            let rejection = StoredResponse.error(
                status: 422, code: "address_rejected", message: "The carrier cannot deliver to this address.")
            return try commitAndStore([], response: rejection, under: scope)
        }
        let entry = ShipmentEntry(
            id: EntryIdentifier.make(EntryIdentifier.shipment), orderId: request.orderId, status: .created,
            idempotencyKey: key.value, at: timestamp())
        return try commitAndStore(
            [.shipmentRecorded(entry: entry)], response: try StoredResponse.json(status: 201, entry), under: scope)
    }

    /// Cancels the shipment created under the request's shipment key, or voids that key when there is none.
    func cancelShipment(_ request: ShipmentCancelRequest, key: IdempotencyKey) throws -> MutationOutcome {
        let scope = IdempotencyScope(.shipping, key.value)
        if let replayed = replay(scope) { return replayed }

        let shipmentScope = IdempotencyScope(.shipping, request.shipmentIdempotencyKey)
        guard var shipment = state.shipment(createdUnderKey: request.shipmentIdempotencyKey) else {
            let needsVoiding = !state.isVoided(shipmentScope) && state.storedResponse(for: shipmentScope) == nil
            let voiding: [JournalEvent] = needsVoiding ? [.keyVoided(scope: shipmentScope)] : []
            return try commitAndStore(
                voiding, response: try StoredResponse.json(status: 200, StatusBody(status: "nothing_to_cancel")),
                under: scope)
        }
        guard shipment.orderId == request.orderId else {
            return MutationOutcome(
                response: .error(
                    status: 409, code: "order_mismatch",
                    message: "The shipment under that key belongs to another order."))
        }
        var events: [JournalEvent] = []
        if shipment.status != .cancelled {
            shipment.status = .cancelled
            events.append(.shipmentStatusChanged(id: shipment.id, status: .cancelled))
        }
        return try commitAndStore(events, response: try StoredResponse.json(status: 200, shipment), under: scope)
    }
}

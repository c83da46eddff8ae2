/// One line of the shipping ledger: a shipment the carrier accepted.
struct ShipmentEntry: Codable, Sendable, Equatable {
    /// Where the shipment stands.
    enum Status: String, Codable, Sendable {
        /// The carrier will ship it.
        case created
        /// The shipment was called off.
        case cancelled
    }

    /// The entry's identifier (`sh_…`).
    let id: String
    /// The order being shipped.
    let orderId: String
    /// Created or cancelled; a cancel changes this entry in place.
    var status: Status
    /// The idempotency key of the call that created the shipment.
    let idempotencyKey: String
    /// When the shipment was created (RFC 3339 with milliseconds).
    let at: String
}

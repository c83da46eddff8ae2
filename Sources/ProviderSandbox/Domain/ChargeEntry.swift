/// One line of the payments ledger: a charge or a refund.
struct ChargeEntry: Codable, Sendable, Equatable {
    /// Whether money was taken or given back.
    enum Kind: String, Codable, Sendable {
        /// Money taken from the card.
        case charge
        /// Money given back for an earlier charge.
        case refund
    }

    /// The outcome the gateway recorded.
    enum Status: String, Codable, Sendable {
        /// The money moved.
        case succeeded
        /// The attempt was refused (declined card, invalid token); no money moved.
        case failed
    }

    /// The entry's identifier (`ch_…` or `re_…`).
    let id: String
    /// The order the money belongs to.
    let orderId: String
    /// Charge or refund.
    let kind: Kind
    /// The exact decimal amount, e.g. `"12.50"`.
    let amount: String
    /// The ISO 4217 currency code, e.g. `"USD"`.
    let currency: String
    /// Whether the money moved.
    let status: Status
    /// The idempotency key of the call that recorded this entry.
    let idempotencyKey: String
    /// When the entry was recorded (RFC 3339 with milliseconds).
    let at: String
    /// For a refund, the id of the charge it gives back; absent on charges.
    let chargeId: String?
}

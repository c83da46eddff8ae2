/// One line of the mailer's ledger: a message that was sent.
struct MessageEntry: Codable, Sendable, Equatable {
    /// The entry's identifier (`msg_…`).
    let id: String
    /// The order the message is about.
    let orderId: String
    /// The template name, e.g. `"order-confirmation"`.
    let template: String
    /// The idempotency key of the call that sent the message.
    let idempotencyKey: String
    /// When the message was sent (RFC 3339 with milliseconds).
    let at: String
}

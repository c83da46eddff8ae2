/// An order paired with a test token, the unit whose attempts `tok_flaky` and `tok_slow` count.
struct TokenAttempt: Hashable, Sendable {
    /// The order being charged.
    let orderId: String
    /// The token used.
    let token: String
}

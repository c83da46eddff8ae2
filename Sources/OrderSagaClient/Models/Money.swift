/// An amount of money as the API writes it: an exact decimal string and an ISO 4217 currency.
public struct Money: Codable, Sendable, Hashable {
    /// The amount, such as `"12.50"`; never a binary float.
    public let amount: String
    /// The currency, such as `USD`.
    public let currency: String

    /// Creates an amount.
    public init(amount: String, currency: String) {
        self.amount = amount
        self.currency = currency
    }

    /// `12.50 USD`.
    public var text: String { "\(amount) \(currency)" }
}

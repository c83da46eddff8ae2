import Foundation

/// What the order saga starts with: the order's id and the inputs its decisions need, nothing more.
///
/// The saga never copies business fields beyond these; steps read the order itself by id.
public struct OrderSagaInput: Codable, Sendable, Hashable {
    /// The order.
    public var orderId: String
    /// The order's total, an exact decimal string (for the approval decision).
    public var total: String
    /// The total's currency.
    public var currency: String

    /// Creates an input.
    public init(orderId: String, total: String, currency: String) {
        self.orderId = orderId
        self.total = total
        self.currency = currency
    }

    /// Whether the total is strictly above `threshold` (an unparsable total needs approval, to be safe).
    public func exceeds(_ threshold: Decimal) -> Bool {
        guard let amount = Decimal(string: total, locale: Locale(identifier: "en_US_POSIX")) else { return true }
        return amount > threshold
    }
}

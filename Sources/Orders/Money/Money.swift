import Foundation
import Mongo

/// An exact amount of one currency: never a binary floating-point number.
///
/// Amounts have at most two decimal places and travel as strings (`"12.50"`): in JSON as a string,
/// in MongoDB as a `decimal128` with its scale kept.
///
/// ```swift
/// let price = try Money(parsing: "12.50", currency: "USD")
/// let total = price * 3          // 37.50 USD
/// total.amountText               // "37.50"
/// ```
public struct Money: Sendable, Hashable, Comparable {
    /// The amount, exact.
    public let amount: Decimal
    /// The ISO 4217 code, three capital letters.
    public let currency: String

    /// Decimal places every amount has.
    public static let scale = 2

    /// The largest amount accepted anywhere (a sanity bound well inside `decimal128`).
    public static let maximumAmount = Decimal(string: "999999999999.99")!

    /// Creates an amount; `amount` must already be exact to two places.
    public init(amount: Decimal, currency: String) {
        self.amount = amount
        self.currency = currency
    }

    /// Zero of `currency`.
    public static func zero(_ currency: String) -> Money { Money(amount: 0, currency: currency) }

    /// The amount as text with exactly two decimal places, such as `"12.50"` or `"-3.00"`.
    public var amountText: String {
        var value = amount
        var rounded = Decimal()
        NSDecimalRound(&rounded, &value, Self.scale, .bankers)
        let negative = rounded < 0
        let digits = (negative ? -rounded : rounded).description
        let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
        let whole = parts.first.map(String.init) ?? "0"
        let fraction = parts.count > 1 ? String(parts[1]) : ""
        let padded = fraction.padding(toLength: Self.scale, withPad: "0", startingAt: 0)
        return (negative ? "-" : "") + whole + "." + padded
    }

    /// The sum of two amounts of one currency.
    public static func + (lhs: Money, rhs: Money) -> Money {
        precondition(lhs.currency == rhs.currency, "adding \(lhs.currency) to \(rhs.currency)")
        return Money(amount: lhs.amount + rhs.amount, currency: lhs.currency)
    }

    /// This amount times a whole quantity.
    public static func * (lhs: Money, rhs: Int) -> Money {
        Money(amount: lhs.amount * Decimal(rhs), currency: lhs.currency)
    }

    /// Orders amounts of one currency.
    public static func < (lhs: Money, rhs: Money) -> Bool {
        precondition(lhs.currency == rhs.currency, "comparing \(lhs.currency) with \(rhs.currency)")
        return lhs.amount < rhs.amount
    }
}

extension Money: CustomStringConvertible {
    public var description: String { "\(amountText) \(currency)" }
}

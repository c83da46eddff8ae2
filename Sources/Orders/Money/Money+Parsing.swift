import Foundation

extension Money {
    /// Why an amount or currency was refused.
    public enum ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        /// The amount is not a plain decimal with at most two places (such as `"12.50"`).
        case invalidAmount(String)
        /// The amount is above ``Money/maximumAmount``.
        case amountTooLarge
        /// The currency is not three capital letters.
        case invalidCurrency(String)

        public var description: String {
            switch self {
            case .invalidAmount: "must be a decimal string with at most 2 decimal places, such as \"12.50\""
            case .amountTooLarge: "must be at most \(Money.maximumAmount)"
            case .invalidCurrency: "must be a 3-letter ISO 4217 code, such as \"USD\""
            }
        }
    }

    /// Parses a non-negative amount such as `"12.50"` or `"7"`, strictly: digits, an optional point and up to two
    /// decimals; no sign, exponent, spaces or leading zeros. Never goes through a binary float.
    public init(parsing text: String, currency: String) throws(ParseError) {
        guard Self.isValidCurrency(currency) else { throw .invalidCurrency(currency) }
        guard Self.isPlainAmount(text), let amount = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))
        else { throw .invalidAmount(text) }
        guard amount <= Self.maximumAmount else { throw .amountTooLarge }
        self.init(amount: amount, currency: currency)
    }

    /// Whether `code` is three capital ASCII letters.
    public static func isValidCurrency(_ code: String) -> Bool {
        code.utf8.count == 3 && code.utf8.allSatisfy { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }
    }

    /// Whether `text` is `0` or a digit string without a leading zero, optionally followed by `.` and 1–2 digits.
    static func isPlainAmount(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        let isDigit = { (byte: UInt8) in (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
        let point = bytes.firstIndex(of: UInt8(ascii: "."))
        let whole = bytes[..<(point ?? bytes.endIndex)]
        guard !whole.isEmpty, whole.count <= 15, whole.allSatisfy(isDigit) else { return false }
        if whole.count > 1, whole.first == UInt8(ascii: "0") { return false }
        guard let point else { return true }
        let fraction = bytes[(point + 1)...]
        return (1...Money.scale).contains(fraction.count) && fraction.allSatisfy(isDigit)
    }
}

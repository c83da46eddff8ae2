import Foundation

/// Exact conversions between `Decimal128` and `Foundation.Decimal`, through decimal strings (never `Double`).
///
/// `Foundation.Decimal` normalises its values (`Decimal(string: "12.50")` is stored as 125 × 10⁻¹), so a
/// `Decimal128` made from a `Decimal` carries that normalised scale: "12.5", not "12.50". The number is the same.
extension Decimal128 {
    /// The decimal128 of a Foundation decimal: exact when it has at most 34 significant digits, otherwise rounded
    /// half-to-even to 34 digits. `Decimal.nan` becomes `Decimal128.nan`. Use `init?(exactly:)` to refuse rounding.
    public init(_ decimal: Decimal) {
        if let exact = Decimal128(exactly: decimal) {
            self = exact
        } else if let parts = DecimalDigits(decimal) {
            self.init(parts.normalized.rounded(toSignificantDigits: 34).scientificString)!
        } else {
            self = .nan
        }
    }

    /// The decimal128 of a Foundation decimal, or `nil` when that would round (more than 34 significant digits) or
    /// the decimal is NaN.
    public init?(exactly decimal: Decimal) {
        guard !decimal.isNaN else { return nil }
        // libbson's parser never rounds (it refuses inexact input), so a successful parse of the plain decimal
        // string is exact; the digit-by-digit path handles what it refuses, such as long runs of trailing zeros.
        if let exact = Decimal128(decimal.description) {
            self = exact
            return
        }
        guard let parts = DecimalDigits(decimal)?.normalized, parts.digits.count <= 34 else { return nil }
        self.init(parts.scientificString)
    }

    /// The same number as a Foundation decimal, exactly; `nil` for NaN, the infinities, and finite values outside
    /// `Decimal`'s range (its exponent is limited to -128...127, e.g. "1E+6144" has no `Decimal`).
    /// "-0" gives 0, as `Decimal` has no negative zero.
    public var decimalValue: Decimal? {
        guard isFinite, let parts = DecimalDigits(parsing: description)?.normalized else { return nil }
        let decimal = Decimal(string: parts.scientificString, locale: Self.posix)
        // At most 34 digits with an exponent in Decimal's own range parse exactly; anything else is checked.
        if (-128...127).contains(parts.exponent) { return decimal }
        guard let decimal, DecimalDigits(decimal)?.normalized == parts else { return nil }
        return decimal
    }

    private static let posix = Locale(identifier: "en_US_POSIX")
}

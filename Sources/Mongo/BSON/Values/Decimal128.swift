import CMongoc

/// An exact IEEE 754-2008 decimal128 number (34 significant digits), the BSON type for money.
///
/// ```swift
/// let price = Decimal128("12.50")!      // keeps the written scale: description is "12.50"
/// Decimal128("abc")                     // nil
/// price.decimalValue                    // Foundation.Decimal 12.5, exactly
/// ```
///
/// Equality and hashing compare the 128 bits, so `12.50` and `12.5` (the same number at different scales) are
/// different values; compare `decimalValue`s to compare amounts. `NaN`, `Infinity` and `-Infinity` are valid
/// decimal128 values (parsed from and printed as those words); they have no `decimalValue`.
/// Encoded with `BSONEncoder` this is a BSON decimal128; with any other encoder it is its string ("12.50").
public struct Decimal128: Sendable, Hashable, LosslessStringConvertible {
    /// The low 64 bits (the end of the coefficient).
    public let low: UInt64
    /// The high 64 bits (sign, combination field, exponent and the start of the coefficient).
    public let high: UInt64

    /// Creates a value from its raw bits.
    public init(low: UInt64, high: UInt64) {
        self.low = low
        self.high = high
    }

    /// Parses a decimal string such as "12.50", "-0", "1E+6144", "NaN" or "Infinity" with
    /// `bson_decimal128_from_string`; `nil` when it is not a number ("abc", "1.2.3", " 1") or needs more than 34
    /// significant digits or an exponent out of range (it never rounds).
    public init?(_ description: String) {
        var value = bson_decimal128_t()
        var text = description
        let parsed = text.withUTF8 { utf8 in
            !utf8.contains(0)
                && utf8.withMemoryRebound(to: CChar.self) {
                    bson_decimal128_from_string_w_len($0.baseAddress, Int32($0.count), &value)
                }
        }
        guard parsed else { return nil }
        self.init(value)
    }

    /// Creates the exact decimal128 of an integer.
    public init(_ value: Int64) {
        self.init(String(value))!
    }

    /// Wraps libbson's representation.
    init(_ value: bson_decimal128_t) {
        self.init(low: value.low, high: value.high)
    }

    /// libbson's representation.
    var bsonValue: bson_decimal128_t {
        var value = bson_decimal128_t()
        value.low = low
        value.high = high
        return value
    }

    /// The exact string, via `bson_decimal128_to_string`: "12.50", "-0", "1.000000000000000000000000000000000E+6144",
    /// "NaN", "Infinity".
    public var description: String {
        var value = bsonValue
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: Int(BSON_DECIMAL128_STRING)) { buffer in
            bson_decimal128_to_string(&value, buffer.baseAddress)
            return String(cString: buffer.baseAddress!)
        }
    }

    /// Whether this is a NaN.
    public var isNaN: Bool { (high >> 58) & 0x1F == 0x1F }

    /// Whether this is positive or negative infinity.
    public var isInfinite: Bool { (high >> 58) & 0x1F == 0x1E }

    /// Whether this is neither NaN nor infinite.
    public var isFinite: Bool { (high >> 58) & 0x1E != 0x1E }

    /// Whether the sign bit is set (true for "-0" too).
    public var isSignMinus: Bool { high >> 63 == 1 }

    /// A quiet NaN.
    public static let nan = Decimal128("NaN")!

    /// Positive infinity.
    public static let infinity = Decimal128("Infinity")!
}

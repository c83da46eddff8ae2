import Foundation

/// A finite decimal number as sign, coefficient digits and exponent (value = ±digits × 10^exponent).
///
/// This is the bridge between `Foundation.Decimal` and `Decimal128`: both convert to and from it through decimal
/// strings only, so no value ever passes through a binary floating point number.
struct DecimalDigits: Equatable {
    /// Whether the number is negative.
    var isNegative: Bool
    /// The coefficient's ASCII decimal digits, without leading zeros (`["0"]` for zero).
    var digits: [UInt8]
    /// The power of ten the coefficient is scaled by.
    var exponent: Int

    init(isNegative: Bool, digits: [UInt8], exponent: Int) {
        self.isNegative = isNegative
        self.digits = digits
        self.exponent = exponent
    }

    /// Parses `[-+]digits[.digits][(e|E)[-+]digits]` in one pass; `nil` for anything else (NaN and infinities
    /// included).
    init?(parsing text: String) {
        var bytes = text.utf8.makeIterator()
        var byte = bytes.next()
        isNegative = byte == UInt8(ascii: "-")
        if byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+") { byte = bytes.next() }
        digits = []
        digits.reserveCapacity(40)
        var sawDigit = false
        var inFraction = false
        var fractionDigits = 0
        while let current = byte {
            if Self.isDigit(current) {
                sawDigit = true
                if !digits.isEmpty || current != UInt8(ascii: "0") { digits.append(current) }
                if inFraction { fractionDigits += 1 }
            } else if current == UInt8(ascii: ".") && !inFraction {
                inFraction = true
            } else {
                break
            }
            byte = bytes.next()
        }
        guard sawDigit else { return nil }
        var writtenExponent = 0
        if let marker = byte {
            guard marker == UInt8(ascii: "e") || marker == UInt8(ascii: "E") else { return nil }
            var next = bytes.next()
            let negativeExponent = next == UInt8(ascii: "-")
            if next == UInt8(ascii: "-") || next == UInt8(ascii: "+") { next = bytes.next() }
            guard next != nil else { return nil }
            while let current = next {
                guard Self.isDigit(current), writtenExponent < 100_000_000 else { return nil }
                writtenExponent = writtenExponent * 10 + Int(current - UInt8(ascii: "0"))
                next = bytes.next()
            }
            if negativeExponent { writtenExponent.negate() }
        }
        if digits.isEmpty { digits = [UInt8(ascii: "0")] }
        exponent = writtenExponent - fractionDigits
    }

    /// The parts of a Foundation decimal; `nil` for NaN.
    init?(_ decimal: Decimal) {
        guard !decimal.isNaN, let parts = DecimalDigits(parsing: decimal.significand.description) else { return nil }
        self.isNegative = decimal.sign == .minus && !decimal.isZero
        self.digits = parts.digits
        self.exponent = decimal.exponent + parts.exponent
    }

    /// Whether this is zero.
    var isZero: Bool {
        digits == [UInt8(ascii: "0")]
    }

    /// The same number with trailing zeros moved into the exponent and zero made positive, for comparing values.
    var normalized: DecimalDigits {
        guard !isZero else { return DecimalDigits(isNegative: false, digits: digits, exponent: 0) }
        var trimmed = digits
        var removed = 0
        while trimmed.last == UInt8(ascii: "0") {
            trimmed.removeLast()
            removed += 1
        }
        return DecimalDigits(isNegative: isNegative, digits: trimmed, exponent: exponent + removed)
    }

    /// Rounds the coefficient half-to-even to at most `limit` digits, raising the exponent by the digits dropped.
    func rounded(toSignificantDigits limit: Int) -> DecimalDigits {
        guard digits.count > limit else { return self }
        var kept = Array(digits.prefix(limit))
        let rest = digits.dropFirst(limit)
        let first = rest.first!
        let beyondHalf = rest.dropFirst().contains { $0 != UInt8(ascii: "0") }
        let lastKeptIsOdd = (kept.last! - UInt8(ascii: "0")) % 2 == 1
        let roundUp = first > UInt8(ascii: "5") || (first == UInt8(ascii: "5") && (beyondHalf || lastKeptIsOdd))
        var exponent = self.exponent + rest.count
        if roundUp {
            var index = kept.count - 1
            while index >= 0 && kept[index] == UInt8(ascii: "9") {
                kept[index] = UInt8(ascii: "0")
                index -= 1
            }
            if index >= 0 {
                kept[index] += 1
            } else {
                kept.insert(UInt8(ascii: "1"), at: 0)
                kept.removeLast()
                exponent += 1
            }
        }
        return DecimalDigits(isNegative: isNegative, digits: kept, exponent: exponent)
    }

    /// Scientific notation that both libbson and Foundation parse exactly: "-1250E-2".
    var scientificString: String {
        (isNegative ? "-" : "") + String(decoding: digits, as: UTF8.self) + "E" + String(exponent)
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }
}

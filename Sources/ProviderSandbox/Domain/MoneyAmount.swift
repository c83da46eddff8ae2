/// Validation of money as it travels through the sandbox: exact decimal strings, never binary floating point.
///
/// The sandbox never does arithmetic on amounts (a refund repeats the charge's amount), so amounts stay strings.
enum MoneyAmount {
    /// Whether `text` is a canonical decimal amount, as `^(0|[1-9][0-9]{0,14})(\.[0-9]{1,4})?$` describes:
    /// no sign, no leading zeros, at most 15 integer digits and 4 fraction digits.
    static func isValidAmount(_ text: String) -> Bool {
        let characters = Array(text.utf8)
        let point = characters.firstIndex(of: UInt8(ascii: "."))
        let integerPart = characters[..<(point ?? characters.endIndex)]
        guard !integerPart.isEmpty, integerPart.count <= 15, integerPart.allSatisfy(isDigit) else { return false }
        if integerPart.count > 1, integerPart.first == UInt8(ascii: "0") { return false }
        guard let point else { return true }
        let fractionPart = characters[(point + 1)...]
        return (1...4).contains(fractionPart.count) && fractionPart.allSatisfy(isDigit)
    }

    /// Whether `text` is a currency code: exactly three uppercase ASCII letters.
    static func isValidCurrency(_ text: String) -> Bool {
        let characters = Array(text.utf8)
        return characters.count == 3
            && characters.allSatisfy { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }
    }

    private static func isDigit(_ character: UInt8) -> Bool {
        character >= UInt8(ascii: "0") && character <= UInt8(ascii: "9")
    }
}

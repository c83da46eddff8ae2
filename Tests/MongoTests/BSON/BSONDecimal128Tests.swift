import Foundation
import Testing

@testable import Mongo

@Suite("BSON Decimal128")
struct BSONDecimal128Tests {
    @Test(
        "strings parse exactly and print back unchanged",
        arguments: [
            "0.1", "12.50", "12345678901234567890.12", "-0", "0", "-12.345", "1E+10",
            "9.999999999999999999999999999999999E+6144", "1E-6176", "1234567890123456789012345678901234",
        ])
    func roundTrip(text: String) throws {
        let value = try #require(Decimal128(text))
        #expect(value.description == text)
        #expect(Decimal128(value.description) == value)
    }

    @Test("an exponent above the maximum is folded into the coefficient when it fits")
    func clamping() throws {
        let value = try #require(Decimal128("1E+6144"))
        #expect(value.description == "1.000000000000000000000000000000000E+6144")
        #expect(value.isFinite)
    }

    @Test(
        "non-numbers, inexact and out-of-range strings are rejected",
        arguments: [
            "abc", "1.2.3", "", " 1", "1 ", "1E+6145", "1E-6177", "12345678901234567890123456789012345",
            "1\u{0}",
        ])
    func invalid(text: String) {
        #expect(Decimal128(text) == nil)
    }

    @Test("NaN and the infinities are values without a Decimal")
    func specialValues() throws {
        let nan = try #require(Decimal128("NaN"))
        let infinity = try #require(Decimal128("Infinity"))
        let negativeInfinity = try #require(Decimal128("-Infinity"))
        #expect(nan.isNaN && !nan.isFinite && !nan.isInfinite)
        #expect(infinity.isInfinite && !infinity.isNaN && !infinity.isSignMinus)
        #expect(negativeInfinity.isInfinite && negativeInfinity.isSignMinus)
        #expect(nan.description == "NaN")
        #expect(infinity.description == "Infinity")
        #expect(negativeInfinity.description == "-Infinity")
        #expect(nan.decimalValue == nil)
        #expect(infinity.decimalValue == nil)
        #expect(Decimal128.nan == nan)
        #expect(Decimal128.infinity == infinity)
    }

    @Test("decimalValue is exact, and nil outside Foundation.Decimal's range")
    func toFoundation() throws {
        #expect(Decimal128("12.50")?.decimalValue == Decimal(string: "12.5"))
        #expect(Decimal128("0.1")?.decimalValue == Decimal(string: "0.1"))
        #expect(
            Decimal128("12345678901234567890.12")?.decimalValue == Decimal(string: "12345678901234567890.12"))
        #expect(Decimal128("-0")?.decimalValue == Decimal(0))
        #expect(Decimal128("-12.345")?.decimalValue == Decimal(string: "-12.345"))
        #expect(Decimal128("1E+6144")?.decimalValue == nil)
        #expect(Decimal128("1E-6176")?.decimalValue == nil)
    }

    @Test("a Foundation.Decimal converts exactly, at Foundation's normalised scale")
    func fromFoundation() throws {
        let amount = try #require(Decimal(string: "12.50"))
        #expect(Decimal128(amount).description == "12.5")
        #expect(Decimal128(amount).decimalValue == amount)
        #expect(Decimal128(try #require(Decimal(string: "-0.001"))).description == "-0.001")
        #expect(Decimal128(Decimal(1_000_000)).decimalValue == Decimal(1_000_000))
        #expect(Decimal128(exactly: amount) == Decimal128(amount))
        let huge = try #require(Decimal(string: "1E+120"))
        #expect(Decimal128(exactly: huge)?.decimalValue == huge)
        let tiny = try #require(Decimal(string: "-123E-120"))
        #expect(Decimal128(exactly: tiny)?.decimalValue == tiny)
    }

    @Test("more than 34 digits round half-to-even, or refuse with init(exactly:)")
    func rounding() throws {
        let long = try #require(Decimal(string: "12345678901234567890123456789012345678"))
        #expect(Decimal128(exactly: long) == nil)
        #expect(Decimal128(long).description == "1.234567890123456789012345678901235E+37")
        let tieEven = try #require(Decimal(string: "12345678901234567890123456789012345"))
        #expect(Decimal128(tieEven).description == "1.234567890123456789012345678901234E+34")
        let tieOdd = try #require(Decimal(string: "12345678901234567890123456789012335"))
        #expect(Decimal128(tieOdd).description == "1.234567890123456789012345678901234E+34")
        let nines = try #require(Decimal(string: "99999999999999999999999999999999999"))
        #expect(Decimal128(nines).description == "1.000000000000000000000000000000000E+35")
        #expect(Decimal128(Decimal.nan).isNaN)
        #expect(Decimal128(exactly: Decimal.nan) == nil)
    }

    @Test("equality compares bits, so the same number at two scales differs")
    func equality() {
        #expect(Decimal128("12.50") != Decimal128("12.5"))
        #expect(Decimal128("12.50") == Decimal128("12.50"))
        #expect(Decimal128("12.50")?.decimalValue == Decimal128("12.5")?.decimalValue)
        #expect(Decimal128(Int64.max).description == "9223372036854775807")
        #expect(Decimal128(Int64.min).description == "-9223372036854775808")
    }

    @Test("outside BSON a Decimal128 codes as its string")
    func jsonCoding() throws {
        let value = try #require(Decimal128("12.50"))
        let json = try JSONEncoder().encode([value])
        #expect(String(decoding: json, as: UTF8.self) == #"["12.50"]"#)
        #expect(try JSONDecoder().decode([Decimal128].self, from: json) == [value])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([Decimal128].self, from: Data(#"["twelve"]"#.utf8))
        }
    }
}

import Foundation
import Mongo
import Orders
import Testing

@Suite("Money")
struct MoneyTests {
    @Test(
        "parses plain decimal strings exactly",
        arguments: [
            ("12.50", "12.50"), ("7", "7.00"), ("0", "0.00"), ("0.1", "0.10"), ("999999999999.99", "999999999999.99"),
        ])
    func parses(_ text: String, _ shown: String) throws {
        let money = try Money(parsing: text, currency: "USD")
        #expect(money.amountText == shown)
        #expect(money.currency == "USD")
    }

    @Test(
        "refuses anything but a plain decimal with at most two places",
        arguments: [
            "12.505", "-1", "+1", "1e3", "01", "1.", ".5", " 1", "1 ", "NaN", "Infinity", "", "1,00", "0x10",
            "1000000000000000",
        ])
    func refuses(_ text: String) {
        #expect(throws: Money.ParseError.self) { try Money(parsing: text, currency: "USD") }
    }

    @Test("refuses currencies that are not three capital letters", arguments: ["usd", "US", "USDX", "", "U$D"])
    func refusesCurrency(_ code: String) {
        #expect(throws: Money.ParseError.invalidCurrency(code)) { try Money(parsing: "1.00", currency: code) }
    }

    @Test("sums and multiplies exactly where binary floats would drift")
    func exactArithmetic() throws {
        let dime = try Money(parsing: "0.10", currency: "USD")
        var total = Money.zero("USD")
        for _ in 0..<10 { total = total + dime }
        #expect(total.amountText == "1.00")
        #expect((try Money(parsing: "19.99", currency: "EUR") * 3).amountText == "59.97")
        #expect(try Money(parsing: "1000.01", currency: "USD") > Money(parsing: "1000.00", currency: "USD"))
    }

    @Test("encodes as a decimal128 in BSON and as a string in JSON, both exact")
    func encodes() throws {
        let price = try Money(parsing: "12.50", currency: "USD")
        let document = try BSONEncoder().encode(price)
        #expect(document["amount"]?.decimal128Value?.description == "12.50")
        #expect(try BSONDecoder().decode(Money.self, from: document) == price)
        let json = String(decoding: try JSONEncoder().encode(price), as: UTF8.self)
        #expect(json.contains("\"amount\":\"12.50\""))
        #expect(try JSONDecoder().decode(Money.self, from: Data(json.utf8)) == price)
    }
}

@Suite("Order ids")
struct OrderIDTests {
    @Test("generated ids parse back, sort by time, and name their saga")
    func generated() throws {
        let earlier = OrderID.generate(now: Date(timeIntervalSince1970: 1_800_000_000))
        let later = OrderID.generate(now: Date(timeIntervalSince1970: 1_800_000_001))
        #expect(OrderID(earlier.rawValue) == earlier)
        #expect(earlier.rawValue < later.rawValue)
        #expect(earlier.rawValue.count == 30)
        #expect(earlier.sagaId == "saga_" + earlier.rawValue.dropFirst(4))
        #expect(OrderID(sagaId: earlier.sagaId) == earlier)
        let many = Set((0..<1000).map { _ in OrderID.generate() })
        #expect(many.count == 1000)
    }

    @Test(
        "anything else is not an order id",
        arguments: [
            "", "ord_", "ord_01hz", "../../x", "ord_01jd3k2x4q8m9v7t6r5p4n3b2A", "ord_01jd3k2x4q8m9v7t6r5p4n3b2i",
            "saga_01jd3k2x4q8m9v7t6r5p4n3b2a", "ord_01jd3k2x4q8m9v7t6r5p4n3b2a0", "ORD_01jd3k2x4q8m9v7t6r5p4n3b2a",
        ])
    func rejects(_ text: String) {
        #expect(OrderID(text) == nil)
    }
}

@Suite("Order saga settings")
struct OrderSagaSettingsTests {
    @Test("environment overrides the approval rule and step policies")
    func overrides() throws {
        let settings = try OrderSagaSettings.defaults.applying(environment: [
            "APPROVAL_THRESHOLD": "250.00", "APPROVAL_TIMEOUT": "90s",
            "STEP_TIMEOUT_ChargePayment": "750ms", "STEP_MAX_ATTEMPTS_CreateShipment": "3",
        ])
        #expect(settings.approvalThreshold == Decimal(250))
        #expect(settings.approvalTimeout == .seconds(90))
        #expect(settings.settings(for: OrderSagaStep.chargePayment).timeout == .milliseconds(750))
        #expect(settings.settings(for: OrderSagaStep.createShipment).retry.maximumAttempts == 3)
        #expect(OrderSagaSettings.defaults.settings(for: OrderSagaStep.chargePayment).timeout == .seconds(2))
    }

    @Test(
        "a bad value names its variable",
        arguments: [
            ("APPROVAL_THRESHOLD", "lots"), ("APPROVAL_TIMEOUT", "soon"), ("STEP_MAX_ATTEMPTS_ChargePayment", "-1"),
            ("STEP_MAX_ATTEMPTS_SendConfirmation", "0"),
        ])
    func badValue(_ variable: String, _ value: String) {
        let error = #expect(throws: SettingsError.self) {
            try OrderSagaSettings.defaults.applying(environment: [variable: value])
        }
        #expect(error?.variable == variable)
    }

    @Test("every step and compensation gives up after a bounded number of attempts", arguments: OrderSagaStep.all)
    func boundedAttempts(_ step: String) {
        let attempts = OrderSagaSettings.defaults.settings(for: step).retry.maximumAttempts
        #expect((1...64).contains(attempts), "\(step) may retry \(attempts == 0 ? "without end" : "\(attempts) times")")
    }

    @Test("durations read in hours, minutes, seconds and milliseconds")
    func durations() {
        #expect(DurationText.parse("24h") == .seconds(86_400))
        #expect(DurationText.parse("15m") == .seconds(900))
        #expect(DurationText.parse("2s") == .seconds(2))
        #expect(DurationText.parse("250ms") == .milliseconds(250))
        #expect(DurationText.parse("1.5") == .milliseconds(1500))
        #expect(DurationText.parse("-1s") == nil)
        #expect(DurationText.parse("abc") == nil)
    }

    @Test("approval is needed strictly above the threshold")
    func threshold() {
        let input = { (total: String) in OrderSagaInput(orderId: "ord_x", total: total, currency: "USD") }
        #expect(!input("1000.00").exceeds(1000))
        #expect(input("1000.01").exceeds(1000))
        #expect(!input("999.99").exceeds(1000))
    }
}

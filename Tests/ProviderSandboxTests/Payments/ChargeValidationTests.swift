import HummingbirdTesting
import Testing

@testable import ProviderSandbox

@Suite("Request validation")
struct ChargeValidationTests {
    @Test(
        "malformed charge bodies are 400 bad_request and record nothing",
        arguments: [
            "not json",
            #"{"orderId":"o-1","currency":"USD","token":"tok_visa"}"#,
            #"{"orderId":"o-1","amount":12.5,"currency":"USD","token":"tok_visa"}"#,
            #"{"orderId":"o-1","amount":"012.50","currency":"USD","token":"tok_visa"}"#,
            #"{"orderId":"o-1","amount":"1.23456","currency":"USD","token":"tok_visa"}"#,
            #"{"orderId":"o-1","amount":"-1.00","currency":"USD","token":"tok_visa"}"#,
            #"{"orderId":"o-1","amount":"1e3","currency":"USD","token":"tok_visa"}"#,
            #"{"orderId":"o-1","amount":"1.","currency":"USD","token":"tok_visa"}"#,
            #"{"orderId":"o-1","amount":"1234567890123456","currency":"USD","token":"tok_visa"}"#,
            #"{"orderId":"o-1","amount":"1.00","currency":"usd","token":"tok_visa"}"#,
            #"{"orderId":"","amount":"1.00","currency":"USD","token":"tok_visa"}"#,
        ])
    func malformedCharge(body: String) async throws {
        try await SandboxFixture.withSandbox { client async throws in
            let response = try await client.post("/payments/charges", key: "k1", body: body)
            #expect(response.status == .badRequest)
            let error = try response.decoded(ErrorBody.self)
            #expect(error.error == "bad_request")
            #expect(!error.message.isEmpty)
            #expect(try await client.chargesLedger().isEmpty)

            let retry = try await client.charge(orderId: "o-1", key: "k1")
            #expect(retry.status == .created)
        }
    }

    @Test(
        "money amounts follow the decimal-string rule exactly",
        arguments: [
            ("0", true), ("0.5", true), ("12.50", true), ("999999999999999.9999", true),
            ("", false), ("00", false), ("01", false), (".5", false), ("1.", false), ("1.23456", false),
            ("1000000000000000", false), ("+1", false), ("1,00", false), (" 1", false),
        ])
    func amountRule(text: String, isValid: Bool) {
        #expect(MoneyAmount.isValidAmount(text) == isValid)
    }

    @Test(
        "currency codes are three uppercase letters",
        arguments: [
            ("USD", true), ("EUR", true), ("usd", false), ("US", false), ("USDX", false), ("U1D", false),
        ])
    func currencyRule(text: String, isValid: Bool) {
        #expect(MoneyAmount.isValidCurrency(text) == isValid)
    }
}

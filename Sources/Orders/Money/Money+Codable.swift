import Foundation
import Mongo

/// `{amount, currency}`: the amount is a `Decimal128` with two places, so MongoDB stores a `decimal128`
/// and JSON coders write the string `"12.50"`. Neither path touches a binary float.
extension Money: Codable {
    private enum CodingKeys: String, CodingKey {
        case amount, currency
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let currency = try container.decode(String.self, forKey: .currency)
        let stored = try container.decode(Decimal128.self, forKey: .amount)
        guard let amount = stored.decimalValue, stored.isFinite else {
            throw DecodingError.dataCorruptedError(
                forKey: .amount, in: container, debugDescription: "amount \(stored) is not a finite decimal")
        }
        self.init(amount: amount, currency: currency)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        guard let exact = Decimal128(amountText) else {
            throw EncodingError.invalidValue(
                amount, .init(codingPath: encoder.codingPath, debugDescription: "unrepresentable amount"))
        }
        try container.encode(exact, forKey: .amount)
        try container.encode(currency, forKey: .currency)
    }
}

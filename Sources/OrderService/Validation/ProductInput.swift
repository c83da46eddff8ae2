import Orders
import SagaKit

/// A validated `POST /v1/products` body.
struct ProductInput: Sendable {
    let sku: String
    let name: String
    let price: Money
    let stock: Int64
    /// Why the operator changed it, for the audit trail.
    let reason: String?

    /// The most units a product may stock.
    static let stockLimit: ClosedRange<Int64> = 0...1_000_000_000

    /// Reads and validates a product body; throws a 422 problem naming every bad field.
    init(json root: JSONValue) throws(Problem) {
        let validator = BodyValidator()
        guard let body = validator.object(root, at: "", allowed: ["sku", "name", "price", "stock", "reason"]) else {
            throw Problem.validation(validator.errors)
        }
        let sku = validator.string(body["sku"], at: "sku", rule: .identifier(maxLength: OrderRequest.Limits.identifier))
        let name = validator.string(body["name"], at: "name", rule: .text(maxLength: OrderRequest.Limits.text))
        let stock = validator.integer(body["stock"], at: "stock", range: Self.stockLimit)
        reason = validator.reason(in: body)
        var price: Money?
        if let fields = validator.object(body["price"], at: "price", allowed: ["amount", "currency"]) {
            let amount = validator.string(
                fields["amount"], at: "price.amount",
                rule: .custom(expectation: "a decimal string such as \"12.50\"", maxLength: 32) { _ in true })
            if let amount {
                do throws(Money.ParseError) {
                    _ = try Money(parsing: amount, currency: "USD")
                } catch {
                    validator.fail("price.amount", error.description)
                }
            }
            let currency = validator.string(
                fields["currency"], at: "price.currency",
                rule: .custom(
                    expectation: "a 3-letter ISO 4217 code such as \"USD\"", maxLength: 3,
                    predicate: Money.isValidCurrency))
            if let amount, let currency { price = try? Money(parsing: amount, currency: currency) }
        }
        guard validator.errors.isEmpty, let sku, let name, let price, let stock else {
            throw Problem.validation(validator.errors)
        }
        self.sku = sku
        self.name = name
        self.price = price
        self.stock = stock
    }
}

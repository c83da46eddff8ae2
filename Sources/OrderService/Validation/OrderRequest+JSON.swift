import Orders
import SagaKit

extension OrderRequest {
    /// The limits of a place-order request.
    enum Limits {
        static let items = 1...100
        static let quantity: ClosedRange<Int64> = 1...10_000
        static let text = 256
        static let identifier = 256
    }

    /// Reads and validates a place-order body; throws a 422 problem naming every bad field.
    init(json root: JSONValue) throws(Problem) {
        let validator = BodyValidator()
        guard
            let body = validator.object(
                root, at: "", allowed: ["customerId", "items", "paymentToken", "shippingAddress"])
        else { throw Problem.validation(validator.errors) }
        let customerId = validator.string(
            body["customerId"], at: "customerId", rule: .identifier(maxLength: Limits.identifier))
        let paymentToken = validator.string(
            body["paymentToken"], at: "paymentToken", rule: .identifier(maxLength: Limits.identifier))
        var items: [Item] = []
        if let elements = validator.array(body["items"], at: "items", count: Limits.items) {
            for (index, element) in elements.enumerated() {
                let path = "items[\(index)]"
                guard let item = validator.object(element, at: path, allowed: ["sku", "quantity"]) else { continue }
                let sku = validator.string(
                    item["sku"], at: "\(path).sku", rule: .identifier(maxLength: Limits.identifier))
                let quantity = validator.integer(item["quantity"], at: "\(path).quantity", range: Limits.quantity)
                if let sku, let quantity { items.append(Item(sku: sku, quantity: Int(quantity))) }
            }
        }
        let address = ShippingAddress(json: body["shippingAddress"], at: "shippingAddress", validator: validator)
        guard validator.errors.isEmpty, let customerId, let paymentToken, let address else {
            throw Problem.validation(validator.errors)
        }
        self.init(customerId: customerId, items: items, paymentToken: paymentToken, shippingAddress: address)
    }
}

extension ShippingAddress {
    /// Reads an address object, recording problems in `validator`; nil when it has any.
    init?(json node: JSONValue?, at path: String, validator: BodyValidator) {
        guard
            let fields = validator.object(
                node, at: path, allowed: ["name", "line1", "line2", "city", "region", "postalCode", "country"])
        else { return nil }
        let text = BodyValidator.TextRule.text(maxLength: OrderRequest.Limits.text)
        let name = validator.string(fields["name"], at: "\(path).name", rule: text)
        let line1 = validator.string(fields["line1"], at: "\(path).line1", rule: text)
        let line2 = validator.string(fields["line2"], at: "\(path).line2", rule: text, required: false)
        let city = validator.string(fields["city"], at: "\(path).city", rule: text)
        let region = validator.string(fields["region"], at: "\(path).region", rule: text, required: false)
        let postalCode = validator.string(
            fields["postalCode"], at: "\(path).postalCode",
            rule: .custom(expectation: "1 to 16 letters, digits, spaces or dashes", maxLength: 16) { code in
                !code.isEmpty
                    && code.utf8.allSatisfy { byte in
                        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "-")
                            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                            || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                            || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                    }
            })
        let country = validator.string(
            fields["country"], at: "\(path).country",
            rule: .custom(expectation: "an ISO 3166-1 alpha-2 code such as \"US\"", maxLength: 2) { code in
                code.utf8.count == 2 && code.utf8.allSatisfy { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }
            })
        guard let name, let line1, let city, let postalCode, let country else { return nil }
        self.init(
            name: name, line1: line1, line2: line2, city: city, region: region, postalCode: postalCode, country: country
        )
    }
}

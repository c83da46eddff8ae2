/// The body of `POST /v1/orders`.
public struct PlaceOrderRequest: Encodable, Sendable {
    /// One line: a SKU and how many.
    public struct Item: Encodable, Sendable, Equatable {
        public var sku: String
        public var quantity: Int

        public init(sku: String, quantity: Int) {
            self.sku = sku
            self.quantity = quantity
        }
    }

    /// Where the goods go.
    public struct Address: Encodable, Sendable, Equatable {
        public var name: String
        public var line1: String
        public var city: String
        public var postalCode: String
        public var country: String

        public init(name: String, line1: String, city: String, postalCode: String, country: String) {
            self.name = name
            self.line1 = line1
            self.city = city
            self.postalCode = postalCode
            self.country = country
        }
    }

    public var customerId: String
    public var items: [Item]
    public var paymentToken: String
    public var shippingAddress: Address

    public init(customerId: String, items: [Item], paymentToken: String, shippingAddress: Address) {
        self.customerId = customerId
        self.items = items
        self.paymentToken = paymentToken
        self.shippingAddress = shippingAddress
    }
}

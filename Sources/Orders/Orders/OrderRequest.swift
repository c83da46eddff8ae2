/// A validated request to place an order (the HTTP layer checks shapes and limits; prices come from the catalog).
public struct OrderRequest: Sendable, Hashable {
    /// One requested line.
    public struct Item: Sendable, Hashable {
        /// The SKU.
        public var sku: String
        /// Units, 1…10,000.
        public var quantity: Int

        /// Creates a line.
        public init(sku: String, quantity: Int) {
            self.sku = sku
            self.quantity = quantity
        }
    }

    /// The customer.
    public var customerId: String
    /// The lines, 1…100.
    public var items: [Item]
    /// The card token.
    public var paymentToken: String
    /// Where to ship.
    public var shippingAddress: ShippingAddress

    /// Creates a request.
    public init(customerId: String, items: [Item], paymentToken: String, shippingAddress: ShippingAddress) {
        self.customerId = customerId
        self.items = items
        self.paymentToken = paymentToken
        self.shippingAddress = shippingAddress
    }

    /// Whether `order` was placed from a request equal to this one (the idempotency check).
    func matches(_ order: Order) -> Bool {
        order.customerId == customerId && order.paymentToken == paymentToken
            && order.shippingAddress == shippingAddress
            && order.items.map { Item(sku: $0.sku, quantity: $0.quantity) } == items
    }
}

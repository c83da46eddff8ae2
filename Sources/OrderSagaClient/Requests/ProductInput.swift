/// The body of `POST /v1/products`: a catalog item to create or replace.
public struct ProductInput: Encodable, Sendable {
    public var sku: String
    public var name: String
    /// The price, its amount an exact decimal string.
    public var price: Money
    /// Units available.
    public var stock: Int64

    public init(sku: String, name: String, price: Money, stock: Int64) {
        self.sku = sku
        self.name = name
        self.price = price
        self.stock = stock
    }
}

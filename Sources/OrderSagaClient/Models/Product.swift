/// A catalog item with its stock.
public struct Product: Decodable, Sendable {
    public let sku: String
    public let name: String
    public let price: Money
    /// Units available.
    public let stock: Int64
    /// Units held by running orders.
    public let reserved: Int64
    public let updatedAt: String?
}

/// One page of `GET /v1/products`.
public struct ProductPage: Decodable, Sendable {
    public let items: [Product]
    /// `nil` on the last page.
    public let nextCursor: String?
}

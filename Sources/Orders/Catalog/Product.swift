import Foundation

/// A catalog item with its stock: `stock` units available to order, `reserved` units held by orders in flight.
public struct Product: Codable, Sendable, Hashable {
    /// The stock-keeping unit, the product's id.
    public var sku: String
    /// The display name.
    public var name: String
    /// The unit price.
    public var price: Money
    /// Units available to reserve.
    public var stock: Int64
    /// Units reserved by orders that have not completed or been undone.
    public var reserved: Int64
    /// When the product was last put in the catalog.
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case sku = "_id"
        case name, price, stock, reserved, updatedAt
    }

    /// Creates a product.
    public init(sku: String, name: String, price: Money, stock: Int64, reserved: Int64, updatedAt: Date) {
        self.sku = sku
        self.name = name
        self.price = price
        self.stock = stock
        self.reserved = reserved
        self.updatedAt = updatedAt
    }
}

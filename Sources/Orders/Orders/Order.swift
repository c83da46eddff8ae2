import Foundation

/// An order as the business keeps it (collection `orders`): what was bought, for whom, at which prices.
///
/// It refers to its saga by id and never copies the saga's progress; `GET /v1/orders/{id}` joins the two.
public struct Order: Codable, Sendable, Hashable {
    /// The order's id.
    public var id: OrderID
    /// The customer it is for.
    public var customerId: String
    /// The lines, priced from the catalog when the order was placed.
    public var items: [OrderLine]
    /// The sum of the lines.
    public var total: Money
    /// The card token to charge.
    public var paymentToken: String
    /// Where to ship.
    public var shippingAddress: ShippingAddress
    /// The saga that fulfils the order.
    public var sagaId: String
    /// When it was placed.
    public var placedAt: Date
    /// The client's `Idempotency-Key`, if it sent one (unique per customer).
    public var idempotencyKey: String?
    /// The customer and the key in one field, which a sparse unique index serves (absent without a key).
    public var idempotencyScope: String?
    /// Set until the saga is known to have started; lets recovery start sagas for orders stored just before a crash.
    public var sagaStartPending: Bool?

    enum CodingKeys: String, CodingKey {
        case id = "_id"
        case customerId, items, total, paymentToken, shippingAddress, sagaId, placedAt, idempotencyKey, sagaStartPending
        case idempotencyScope
    }
}

extension Order {
    /// The units the order holds in stock, a line per item.
    public var reservationLines: [Reservation.Line] {
        items.map { Reservation.Line(sku: $0.sku, quantity: Int64($0.quantity)) }
    }
}

/// One line of an order.
public struct OrderLine: Codable, Sendable, Hashable {
    /// The SKU.
    public var sku: String
    /// The product's name when ordered.
    public var name: String
    /// Units ordered.
    public var quantity: Int
    /// The catalog price per unit when ordered.
    public var unitPrice: Money
    /// `unitPrice × quantity`.
    public var lineTotal: Money
}

/// A postal address.
public struct ShippingAddress: Codable, Sendable, Hashable {
    /// The recipient.
    public var name: String
    /// Street and number.
    public var line1: String
    /// More of the street address, if any.
    public var line2: String?
    /// The city.
    public var city: String
    /// The state or region, if any.
    public var region: String?
    /// The postal code.
    public var postalCode: String
    /// The ISO 3166-1 alpha-2 country code.
    public var country: String

    /// Creates an address.
    public init(
        name: String, line1: String, line2: String? = nil, city: String, region: String? = nil, postalCode: String,
        country: String
    ) {
        self.name = name
        self.line1 = line1
        self.line2 = line2
        self.city = city
        self.region = region
        self.postalCode = postalCode
        self.country = country
    }
}

/// The body of `POST /shipping/shipments`.
struct ShipmentRequest: ValidatableRequest {
    /// Where the parcel goes.
    struct Address: Decodable, Sendable {
        /// The recipient.
        let name: String
        /// Street and number.
        let line1: String
        /// The city.
        let city: String
        /// The postal code; `"00000"` makes the carrier reject the address.
        let postalCode: String
        /// The country code.
        let country: String
    }

    /// One line of the parcel.
    struct Item: Decodable, Sendable {
        /// The product.
        let sku: String
        /// How many units.
        let quantity: Int
    }

    /// The postal code the carrier always rejects.
    static let rejectedPostalCode = "00000"

    /// The order being shipped.
    let orderId: String
    /// The destination.
    let address: Address
    /// What the parcel holds.
    let items: [Item]

    func validate() throws(RequestValidationError) {
        try requireText(orderId, named: "orderId")
        try requireText(address.name, named: "address.name")
        try requireText(address.line1, named: "address.line1")
        try requireText(address.city, named: "address.city")
        try requireText(address.postalCode, named: "address.postalCode")
        try requireText(address.country, named: "address.country")
        guard !items.isEmpty else {
            throw RequestValidationError(message: "field 'items' must hold at least one item")
        }
        for (index, item) in items.enumerated() {
            try requireText(item.sku, named: "items[\(index)].sku")
            guard item.quantity >= 1 else {
                throw RequestValidationError(message: "field 'items[\(index)].quantity' must be at least 1")
            }
        }
    }
}

import Foundation

/// Where one order's units of one SKU ended, once its marker left the product document (collection
/// `settled_stock`, one small document per order and SKU, never on a hot product document).
struct SettledStock: Codable, Sendable, Hashable {
    /// `<orderId>/<sku>`.
    var id: String
    /// The final or committed state the marker had.
    var state: StockMove.State
    /// The units.
    var quantity: Int64
    /// The fencing token of the marker's last transition.
    var fence: Int64
    /// When the marker was pruned.
    var settledAt: Date

    static func id(orderId: String, sku: String) -> String { "\(orderId)/\(sku)" }

    enum CodingKeys: String, CodingKey {
        case id = "_id"
        case state, quantity, fence, settledAt
    }
}

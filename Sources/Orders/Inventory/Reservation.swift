import Foundation

/// The units an order holds, per SKU, and what became of them: the record that makes reserve, commit
/// and release idempotent (collection `reservations`, one document per order).
public struct Reservation: Codable, Sendable, Hashable {
    /// Where an order's units are.
    public enum State: String, Codable, Sendable {
        /// Taken out of `stock` into `reserved`.
        case held
        /// Shipped: gone from `reserved`, out of the warehouse.
        case committed
        /// Given back to `stock` (from `reserved`, or returned after shipping).
        case released
    }

    /// One SKU's units.
    public struct Line: Codable, Sendable, Hashable {
        /// The SKU.
        public var sku: String
        /// How many units.
        public var quantity: Int64

        /// Creates a line.
        public init(sku: String, quantity: Int64) {
            self.sku = sku
            self.quantity = quantity
        }
    }

    /// The order's id.
    public var orderId: String
    /// The units, one line per SKU.
    public var lines: [Line]
    /// What became of them.
    public var state: State
    /// When the state last changed.
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case orderId = "_id"
        case lines, state, updatedAt
    }
}

/// Why stock could not be reserved.
public struct InsufficientStock: Error, Sendable, Hashable, CustomStringConvertible {
    /// The first SKU short of units.
    public let sku: String
    /// The units asked for.
    public let requested: Int64

    public var description: String { "not enough stock of \(sku) for \(requested) units" }
}

/// An order's units were already given back, so they cannot be reserved again.
public struct ReservationReleased: Error, Sendable, Hashable, CustomStringConvertible {
    /// The order.
    public let orderId: String

    public var description: String { "the reservation of order \(orderId) was already released" }
}

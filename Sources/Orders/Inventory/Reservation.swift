import Foundation

/// The units an order asks for, per SKU.
public enum Reservation {
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

/// A later attempt of the same order's saga already moved its stock: this attempt must not act any more.
public struct StockMoveSuperseded: Error, Sendable, Hashable, CustomStringConvertible {
    /// The order.
    public let orderId: String
    /// The SKU.
    public let sku: String

    public var description: String { "a later attempt already moved order \(orderId)'s stock of \(sku)" }
}

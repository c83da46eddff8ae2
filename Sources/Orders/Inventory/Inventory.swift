import Foundation
import Mongo

/// Stock reservation that never oversells: conditional updates of `stock` inside transactions that
/// also record the order's ``Reservation``, so every operation can be repeated safely.
///
/// * `reserve` takes every line's units or none (a short SKU aborts the whole transaction);
/// * `commit` moves held units out of `reserved` (they shipped);
/// * `release` gives units back to `stock`: held ones from `reserved`, committed ones as returned goods.
///   Releasing an order that never reserved records that, so a late `reserve` cannot take stock after.
///
/// Each is one transaction; repeating one changes nothing.
public struct Inventory: Sendable {
    let client: MongoClient
    let products: MongoCollection<Product>
    let reservations: MongoCollection<Reservation>

    /// The collections in `database` (nothing is sent until used).
    public init(database: MongoDatabase) {
        client = database.client
        products = database.collection("products", as: Product.self)
        reservations = database.collection("reservations", as: Reservation.self)
    }

    /// Reserves `lines` for the order; returns its reservation (the existing one when already reserved).
    ///
    /// Throws ``InsufficientStock`` when a SKU lacks units (nothing is reserved) and ``ReservationReleased``
    /// when the order's reservation was already given back.
    @discardableResult
    public func reserve(orderId: String, lines: [Reservation.Line], now: Date = Date()) async throws -> Reservation {
        let merged = Self.merge(lines)
        return try await client.withTransaction { session in
            if let existing = try await reservations.findOne(["_id": .string(orderId)], session: session) {
                guard existing.state != .released else { throw ReservationReleased(orderId: orderId) }
                return existing
            }
            for line in merged {
                let taken = try await products.updateOne(
                    filter: ["_id": .string(line.sku), "stock": ["$gte": .int64(line.quantity)]],
                    update: ["$inc": ["stock": .int64(-line.quantity), "reserved": .int64(line.quantity)]],
                    session: session)
                guard taken.matchedCount == 1 else { throw InsufficientStock(sku: line.sku, requested: line.quantity) }
            }
            let reservation = Reservation(orderId: orderId, lines: merged, state: .held, updatedAt: now)
            try await reservations.insertOne(reservation, session: session)
            return reservation
        }
    }

    /// Moves the order's held units out of `reserved` (they shipped); a no-op unless they are held.
    public func commit(orderId: String, now: Date = Date()) async throws {
        try await client.withTransaction { session in
            guard let reservation = try await reservations.findOne(["_id": .string(orderId)], session: session),
                reservation.state == .held
            else { return }
            for line in reservation.lines {
                try await products.updateOne(
                    filter: ["_id": .string(line.sku)], update: ["$inc": ["reserved": .int64(-line.quantity)]],
                    session: session)
            }
            try await setState(.committed, orderId: orderId, now: now, session: session)
        }
    }

    /// Gives the order's units back to `stock`; returns the state they were in before (nil: never reserved).
    @discardableResult
    public func release(orderId: String, now: Date = Date()) async throws -> Reservation.State? {
        try await client.withTransaction { session in
            guard let reservation = try await reservations.findOne(["_id": .string(orderId)], session: session) else {
                let tombstone = Reservation(orderId: orderId, lines: [], state: .released, updatedAt: now)
                try await reservations.insertOne(tombstone, session: session)
                return nil
            }
            switch reservation.state {
            case .released:
                return .released
            case .held:
                for line in reservation.lines {
                    try await products.updateOne(
                        filter: ["_id": .string(line.sku)],
                        update: ["$inc": ["stock": .int64(line.quantity), "reserved": .int64(-line.quantity)]],
                        session: session)
                }
            case .committed:
                for line in reservation.lines {
                    try await products.updateOne(
                        filter: ["_id": .string(line.sku)], update: ["$inc": ["stock": .int64(line.quantity)]],
                        session: session)
                }
            }
            try await setState(.released, orderId: orderId, now: now, session: session)
            return reservation.state
        }
    }

    /// The order's reservation, or nil.
    public func reservation(orderId: String) async throws -> Reservation? {
        try await reservations.findOne(["_id": .string(orderId)])
    }

    private func setState(_ state: Reservation.State, orderId: String, now: Date, session: MongoSession) async throws {
        try await reservations.updateOne(
            filter: ["_id": .string(orderId)],
            update: ["$set": ["state": .string(state.rawValue), "updatedAt": .datetime(now)]], session: session)
    }

    /// One line per SKU, quantities added, in SKU order (so concurrent orders touch products in the same order).
    static func merge(_ lines: [Reservation.Line]) -> [Reservation.Line] {
        var totals: [String: Int64] = [:]
        for line in lines { totals[line.sku, default: 0] += line.quantity }
        return totals.keys.sorted().map { Reservation.Line(sku: $0, quantity: totals[$0]!) }
    }
}

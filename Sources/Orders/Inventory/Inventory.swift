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
/// Each is one transaction whose first statement decides whether it applies (the reservation's unique `_id`
/// for `reserve`, a conditional change of its state for `commit` and `release`), so repeating one changes
/// nothing, and the happy path costs one statement per SKU plus two. The lines given to `commit` and
/// `release` must be the order's lines, as given to `reserve` (an order never changes).
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
        let reservation = Reservation(orderId: orderId, lines: Self.merge(lines), state: .held, updatedAt: now)
        do {
            try await client.withTransaction { session in
                try await reservations.insertOne(reservation, session: session)
                for line in reservation.lines {
                    let taken = try await products.updateOne(
                        filter: ["_id": .string(line.sku), "stock": ["$gte": .int64(line.quantity)]],
                        update: ["$inc": ["stock": .int64(-line.quantity), "reserved": .int64(line.quantity)]],
                        session: session)
                    guard taken.matchedCount == 1 else {
                        throw InsufficientStock(sku: line.sku, requested: line.quantity)
                    }
                }
            }
            return reservation
        } catch let error as MongoError where error.kind == .duplicateKey {
            guard let existing = try await self.reservation(orderId: orderId) else { throw error }
            guard existing.state != .released else { throw ReservationReleased(orderId: orderId) }
            return existing
        }
    }

    /// Moves the order's held units out of `reserved` (they shipped); a no-op unless they are held.
    public func commit(orderId: String, lines: [Reservation.Line], now: Date = Date()) async throws {
        try await client.withTransaction { session in
            guard try await changeState(orderId, from: .held, to: .committed, now: now, session: session) else {
                return
            }
            for line in Self.merge(lines) {
                try await products.updateOne(
                    filter: ["_id": .string(line.sku)], update: ["$inc": ["reserved": .int64(-line.quantity)]],
                    session: session)
            }
        }
    }

    /// Gives the order's units back to `stock`; returns the state they were in before (nil: never reserved).
    @discardableResult
    public func release(orderId: String, lines: [Reservation.Line], now: Date = Date()) async throws
        -> Reservation.State?
    {
        let merged = Self.merge(lines)
        return try await client.withTransaction { session -> Reservation.State? in
            if try await changeState(orderId, from: .held, to: .released, now: now, session: session) {
                for line in merged {
                    try await products.updateOne(
                        filter: ["_id": .string(line.sku)],
                        update: ["$inc": ["stock": .int64(line.quantity), "reserved": .int64(-line.quantity)]],
                        session: session)
                }
                return .held
            }
            if try await changeState(orderId, from: .committed, to: .released, now: now, session: session) {
                for line in merged {
                    try await products.updateOne(
                        filter: ["_id": .string(line.sku)], update: ["$inc": ["stock": .int64(line.quantity)]],
                        session: session)
                }
                return .committed
            }
            // Released already, or never reserved: then leave a released record so a late reserve is refused.
            let tombstone = try await reservations.updateOne(
                filter: ["_id": .string(orderId)],
                update: [
                    "$setOnInsert": [
                        "lines": [], "state": .string(Reservation.State.released.rawValue), "updatedAt": .datetime(now),
                    ]
                ],
                options: UpdateOptions(upsert: true), session: session)
            return tombstone.upsertedId == nil ? .released : nil
        }
    }

    /// The order's reservation, or nil.
    public func reservation(orderId: String) async throws -> Reservation? {
        try await reservations.findOne(["_id": .string(orderId)])
    }

    /// Moves the reservation from `old` to `new` state; false when it was not in `old`.
    private func changeState(
        _ orderId: String, from old: Reservation.State, to new: Reservation.State, now: Date, session: MongoSession
    ) async throws -> Bool {
        let changed = try await reservations.updateOne(
            filter: ["_id": .string(orderId), "state": .string(old.rawValue)],
            update: ["$set": ["state": .string(new.rawValue), "updatedAt": .datetime(now)]], session: session)
        return changed.matchedCount == 1
    }

    /// One line per SKU, quantities added, in SKU order (so concurrent orders touch products in the same order).
    static func merge(_ lines: [Reservation.Line]) -> [Reservation.Line] {
        var totals: [String: Int64] = [:]
        for line in lines { totals[line.sku, default: 0] += line.quantity }
        return totals.keys.sorted().map { Reservation.Line(sku: $0, quantity: totals[$0]!) }
    }
}

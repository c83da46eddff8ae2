import Foundation
import Mongo

/// Stock reservation that never oversells and never needs a multi-document transaction.
///
/// Every change of stock is one conditional update of one product document, made idempotent by a marker for
/// the order in that document: `holds.<orderId>` while the order's units are reserved, `returns.<orderId>` while
/// its shipped units are being returned. The order's ``Reservation`` document records where the order stands
/// (held, committed, released). Each operation can be repeated, or resumed after a crash at any point, and
/// nothing is ever left locked: a crashed client's multi-document transaction would hold its product documents
/// until the server reaps it (60 s by default), stalling every order of those products.
///
/// * `reserve` holds every line's units or none (a short SKU undoes the holds already taken);
/// * `commit` moves held units out of `reserved` (they shipped);
/// * `release` gives units back to `stock`: held ones from `reserved`, committed ones as returned goods.
///   Releasing an order that never reserved records that, so a late `reserve` cannot take stock after.
///
/// The lines given to `commit` and `release` must be the order's lines, as given to `reserve` (an order never
/// changes). Happy path: `reserve` and `commit` cost one write per SKU plus one.
public struct Inventory: Sendable {
    let products: MongoCollection<Product>
    let reservations: MongoCollection<Reservation>

    /// The collections in `database` (nothing is sent until used).
    public init(database: MongoDatabase) {
        products = database.collection("products", as: Product.self).withWriteConcern(.majority)
        reservations = database.collection("reservations", as: Reservation.self).withWriteConcern(.majority)
    }

    /// Reserves `lines` for the order; returns its reservation (the existing one when already reserved).
    ///
    /// Throws ``InsufficientStock`` when a SKU lacks units (nothing stays reserved) and ``ReservationReleased``
    /// when the order's reservation was already given back.
    @discardableResult
    public func reserve(orderId: String, lines: [Reservation.Line], now: Date = Date()) async throws -> Reservation {
        let merged = Self.merge(lines)
        let reservation = Reservation(orderId: orderId, lines: merged, state: .held, updatedAt: now)
        do {
            try await reservations.insertOne(reservation)
        } catch let error as MongoError where error.kind == .duplicateKey {
            guard let existing = try await self.reservation(orderId: orderId) else { throw error }
            switch existing.state {
            case .released: throw ReservationReleased(orderId: orderId)
            case .committed: return existing
            case .held: break  // resume: hold whatever is not held yet
            }
        }
        for (index, line) in merged.enumerated() {
            guard try await hold(line, orderId: orderId) else {
                for taken in merged[..<index] { try await unhold(taken, orderId: orderId, restock: true) }
                try await setState(.released, of: orderId, from: .held, now: now)
                throw InsufficientStock(sku: line.sku, requested: line.quantity)
            }
        }
        return reservation
    }

    /// Moves the order's held units out of `reserved` (they shipped); a no-op unless they are held.
    public func commit(orderId: String, lines: [Reservation.Line], now: Date = Date()) async throws {
        for line in Self.merge(lines) { try await unhold(line, orderId: orderId, restock: false) }
        try await setState(.committed, of: orderId, from: .held, now: now)
    }

    /// Gives the order's units back to `stock`; returns the state they were in before (nil: never reserved).
    @discardableResult
    public func release(orderId: String, lines: [Reservation.Line], now: Date = Date()) async throws
        -> Reservation.State?
    {
        let merged = Self.merge(lines)
        guard let reservation = try await self.reservation(orderId: orderId) else {
            // Never reserved: record that, so a reservation still on its way is refused.
            let tombstone = Reservation(orderId: orderId, lines: [], state: .released, updatedAt: now)
            do {
                try await reservations.insertOne(tombstone)
                return nil
            } catch let error as MongoError where error.kind == .duplicateKey {
                return try await release(orderId: orderId, lines: lines, now: now)
            }
        }
        switch reservation.state {
        case .released:
            try await forgetReturns(orderId: orderId, lines: merged)
            return .released
        case .held:
            for line in merged { try await unhold(line, orderId: orderId, restock: true) }
            try await setState(.released, of: orderId, from: .held, now: now)
            return .held
        case .committed:
            for line in merged { try await returnToStock(line, orderId: orderId) }
            try await setState(.released, of: orderId, from: .committed, now: now)
            try await forgetReturns(orderId: orderId, lines: merged)
            return .committed
        }
    }

    /// The order's reservation, or nil.
    public func reservation(orderId: String) async throws -> Reservation? {
        try await reservations.findOne(["_id": .string(orderId)])
    }

    // MARK: One product at a time

    /// Takes `line`'s units into `reserved` under the order's hold; true when held (now or before).
    private func hold(_ line: Reservation.Line, orderId: String) async throws -> Bool {
        let marker = "holds.\(orderId)"
        let taken = try await products.updateOne(
            filter: ["_id": .string(line.sku), "stock": ["$gte": .int64(line.quantity)], marker: ["$exists": false]],
            update: [
                "$inc": ["stock": .int64(-line.quantity), "reserved": .int64(line.quantity)],
                "$set": [marker: .int64(line.quantity)],
            ])
        if taken.matchedCount == 1 { return true }
        return try await products.countDocuments(["_id": .string(line.sku), marker: ["$exists": true]]) == 1
    }

    /// Ends the order's hold on `line`: its units leave `reserved`, back to `stock` when `restock`.
    private func unhold(_ line: Reservation.Line, orderId: String, restock: Bool) async throws {
        let marker = "holds.\(orderId)"
        var change: Document = ["reserved": .int64(-line.quantity)]
        if restock { change["stock"] = .int64(line.quantity) }
        try await products.updateOne(
            filter: ["_id": .string(line.sku), marker: ["$exists": true]],
            update: ["$inc": .document(change), "$unset": [marker: ""]])
    }

    /// Puts `line`'s shipped units back in `stock`, once, under the order's return marker.
    private func returnToStock(_ line: Reservation.Line, orderId: String) async throws {
        let marker = "returns.\(orderId)"
        try await products.updateOne(
            filter: ["_id": .string(line.sku), marker: ["$exists": false]],
            update: ["$inc": ["stock": .int64(line.quantity)], "$set": [marker: .int64(line.quantity)]])
    }

    /// Removes the order's return markers once its reservation says released (they are no longer needed).
    private func forgetReturns(orderId: String, lines: [Reservation.Line]) async throws {
        let marker = "returns.\(orderId)"
        try await products.updateMany(
            filter: ["_id": ["$in": .array(lines.map { .string($0.sku) })], marker: ["$exists": true]],
            update: ["$unset": [marker: ""]])
    }

    private func setState(
        _ new: Reservation.State, of orderId: String, from old: Reservation.State, now: Date
    ) async throws {
        try await reservations.updateOne(
            filter: ["_id": .string(orderId), "state": .string(old.rawValue)],
            update: ["$set": ["state": .string(new.rawValue), "updatedAt": .datetime(now)]])
    }

    /// One line per SKU, quantities added, in SKU order (so concurrent orders touch products in the same order).
    static func merge(_ lines: [Reservation.Line]) -> [Reservation.Line] {
        var totals: [String: Int64] = [:]
        for line in lines { totals[line.sku, default: 0] += line.quantity }
        return totals.keys.sorted().map { Reservation.Line(sku: $0, quantity: totals[$0]!) }
    }
}

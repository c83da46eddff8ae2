import Foundation
import Mongo
import SagaKit

/// Stock reservation that never oversells and never needs a multi-document transaction, exact under any
/// interleaving of the attempts that move an order's stock.
///
/// Each order's units of each SKU walk the state graph of ``StockMove`` on the product document itself: every
/// change of `stock` and `reserved` is one compare-and-set of that product, conditional on the order's marker
/// and on the attempt's ``FencingToken``. Nothing is ever left locked, and a superseded attempt changes nothing.
///
/// * ``reserve(orderId:lines:fence:now:)`` holds every line's units or none (a short SKU releases the order);
/// * ``commit(orderId:lines:fence:now:)`` moves held units out of `reserved` (they shipped);
/// * ``release(orderId:lines:fence:now:)`` gives units back to `stock`: held ones from `reserved`, committed
///   ones as returned goods; an order that never held a SKU gets a tombstone there, so a late hold is refused;
/// * ``prune(settledBefore:now:)`` moves settled markers off the product documents.
///
/// Happy path: `reserve` and `commit` each cost one write per SKU.
public struct Inventory: Sendable {
    let products: MongoCollection<Document>
    /// Stock moves of concurrent sagas, group-committed.
    let moves: WriteBatcher<Document>
    let settled: MongoCollection<SettledStock>

    /// The product field holding the per-order markers.
    static let markersField = "moves"
    /// The product field below which fencing tokens may not create a marker (raised by pruning).
    static let horizonField = "fenceHorizon"
    /// How often one operation re-reads a product whose marker moved under it before giving up (retryably).
    static let rounds = 8

    /// The marker field of `orderId` on a product document.
    static func markerField(_ orderId: String) -> String { "\(markersField).\(orderId)" }

    /// The collections in `database` (nothing is sent until used).
    public init(database: MongoDatabase) {
        products = database.durableCollection("products", as: Document.self)
        moves = database.durableWrites("products", as: Document.self)
        settled = database.durableCollection("settled_stock", as: SettledStock.self)
    }

    /// Reserves `lines` for the order with the attempt's fencing token.
    ///
    /// Throws ``InsufficientStock`` when a SKU lacks units and ``ReservationReleased`` when the order was released
    /// already (in both cases none of its units stay held), and ``StockMoveSuperseded`` when a later attempt acted.
    public func reserve(orderId: String, lines: [Reservation.Line], fence: FencingToken, now: Date = Date())
        async throws
    {
        let merged = Self.merge(lines)
        for line in merged {
            switch try await hold(line, orderId: orderId, fence: fence, now: now) {
            case .held:
                continue
            case .short:
                try await release(orderId: orderId, lines: merged, fence: fence, now: now)
                throw InsufficientStock(sku: line.sku, requested: line.quantity)
            case .released:
                try await release(orderId: orderId, lines: merged, fence: fence, now: now)
                throw ReservationReleased(orderId: orderId)
            }
        }
    }

    /// Moves the order's held units out of `reserved` (they shipped); a no-op for units already committed.
    public func commit(orderId: String, lines: [Reservation.Line], fence: FencingToken, now: Date = Date())
        async throws
    {
        for line in Self.merge(lines) {
            try await commit(line, orderId: orderId, fence: fence, now: now)
        }
    }

    /// Gives the order's units back to `stock`; returns, per SKU, the state they were in before (nil: never held).
    @discardableResult
    public func release(orderId: String, lines: [Reservation.Line], fence: FencingToken, now: Date = Date())
        async throws -> [String: StockMove.State?]
    {
        var before: [String: StockMove.State?] = [:]
        for line in Self.merge(lines) {
            before[line.sku] = try await release(line, orderId: orderId, fence: fence, now: now)
        }
        return before
    }

    /// The writes of ``reserve(orderId:lines:fence:now:)`` when nothing stands in its way, to be made with the step's
    /// outcome: one hold per SKU, each refused (never applied, never inserting) when the SKU lacks units, already has
    /// a marker for the order, or is not in the catalog. A refusal leaves it to ``reserve(orderId:lines:fence:now:)``
    /// to find out why; the holds made before it are this attempt's, which that call adopts.
    func holdWrites(orderId: String, lines: [Reservation.Line], fence: FencingToken, now: Date = Date()) throws
        -> [NamespacedWrite]
    {
        try Self.merge(lines).map { try transitionWrite(.hold, $0, orderId: orderId, fence: fence, now: now) }
    }

    /// The writes of ``commit(orderId:lines:fence:now:)`` when every marker is held by this attempt or an earlier one,
    /// to be made with the step's outcome; refused otherwise, leaving it to that call to find out why.
    func commitWrites(orderId: String, lines: [Reservation.Line], fence: FencingToken, now: Date = Date()) throws
        -> [NamespacedWrite]
    {
        try Self.merge(lines).map { try transitionWrite(.commit, $0, orderId: orderId, fence: fence, now: now) }
    }

    /// `transition` for `line` as a write that is refused when it does not apply: on a miss, whether the product exists
    /// or not, the upsert's insert cannot set a field within the string `_id`, so nothing is ever inserted.
    private func transitionWrite(
        _ transition: StockTransition, _ line: Reservation.Line, orderId: String, fence: FencingToken, now: Date
    ) throws -> NamespacedWrite {
        var (filter, update) = try transition.update(
            sku: line.sku, orderId: orderId, quantity: line.quantity, fence: fence.value, now: now)
        update["$setOnInsert"] = ["_id.notInCatalog": true]
        return NamespacedWrite(.updateOne(filter: filter, update: update, upsert: true), in: products)
    }

    /// The order's marker on product `sku`, or its settled record once pruned, or nil.
    public func move(orderId: String, sku: String) async throws -> StockMove? {
        if let marker = try await look(sku: sku, orderId: orderId)?.move { return marker }
        return try await settledRecord(orderId: orderId, sku: sku).map {
            StockMove(state: $0.state, quantity: $0.quantity, fence: $0.fence, at: $0.settledAt)
        }
    }

    // MARK: One product at a time

    private enum HoldOutcome { case held, short, released }

    private func hold(_ line: Reservation.Line, orderId: String, fence: FencingToken, now: Date) async throws
        -> HoldOutcome
    {
        for _ in 0..<Self.rounds {
            if try await apply(.hold, line, orderId: orderId, fence: fence, now: now) { return .held }
            guard let seen = try await look(sku: line.sku, orderId: orderId) else { return .short }
            switch seen.move?.state {
            case .held, .committed:
                // Held by an earlier attempt: take the marker over, so that attempt can no longer release it.
                if try await adopt(line, orderId: orderId, move: seen.move!, fence: fence, now: now) { return .held }
                continue
            case .released: return .released
            case nil:
                if seen.horizon >= fence.value { throw StockMoveSuperseded(orderId: orderId, sku: line.sku) }
                if seen.stock < line.quantity { return .short }
            }
        }
        throw StockMoveSuperseded(orderId: orderId, sku: line.sku)
    }

    private func commit(_ line: Reservation.Line, orderId: String, fence: FencingToken, now: Date) async throws {
        for _ in 0..<Self.rounds {
            if try await apply(.commit, line, orderId: orderId, fence: fence, now: now) { return }
            let seen = try await look(sku: line.sku, orderId: orderId)
            switch seen?.move {
            case let move? where move.state == .committed:
                if try await adopt(line, orderId: orderId, move: move, fence: fence, now: now) { return }
                continue
            case let move? where move.state == .released:
                throw ReservationReleased(orderId: orderId)
            case let move? where move.fence > fence.value:
                throw StockMoveSuperseded(orderId: orderId, sku: line.sku)
            case .some:
                continue
            case nil:
                if try await settledRecord(orderId: orderId, sku: line.sku)?.state == .committed { return }
                throw StockMoveSuperseded(orderId: orderId, sku: line.sku)
            }
        }
        throw StockMoveSuperseded(orderId: orderId, sku: line.sku)
    }

    private func release(_ line: Reservation.Line, orderId: String, fence: FencingToken, now: Date) async throws
        -> StockMove.State?
    {
        for _ in 0..<Self.rounds {
            guard let seen = try await look(sku: line.sku, orderId: orderId) else { return nil }
            if let move = seen.move {
                if move.state == .released { return .released }
                if move.fence > fence.value { throw StockMoveSuperseded(orderId: orderId, sku: line.sku) }
                let transition: StockTransition = move.state == .held ? .release : .restock
                if try await apply(transition, line, orderId: orderId, fence: fence, now: now) { return move.state }
                continue
            }
            if seen.horizon >= fence.value { throw StockMoveSuperseded(orderId: orderId, sku: line.sku) }
            // Decided from the settled record: the write holds only if no pruning ran since the look above.
            switch try await settledRecord(orderId: orderId, sku: line.sku)?.state {
            case .released:
                return .released
            case .committed:
                if try await apply(
                    .restockSettled, line, orderId: orderId, fence: fence, now: now, horizonSeen: seen.horizon)
                {
                    return .committed
                }
            case .held, nil:
                if try await apply(.refuse, line, orderId: orderId, fence: fence, now: now, horizonSeen: seen.horizon) {
                    return nil
                }
            }
        }
        throw StockMoveSuperseded(orderId: orderId, sku: line.sku)
    }

    /// Makes `transition` for `line`; true when it applied.
    private func apply(
        _ transition: StockTransition, _ line: Reservation.Line, orderId: String, fence: FencingToken, now: Date,
        horizonSeen: Int64? = nil
    ) async throws -> Bool {
        let (filter, update) = try transition.update(
            sku: line.sku, orderId: orderId, quantity: line.quantity, fence: fence.value, now: now,
            horizonSeen: horizonSeen)
        return try await compareAndSet(filter: filter, update: update)
    }

    /// Updates the product `filter` names if it matches the rest of `filter`, in the next group commit; true when
    /// applied. A product that does not exist is not created.
    private func compareAndSet(filter: Document, update: Document) async throws -> Bool {
        switch try await moves.compareAndSet(filter: filter, update: update) {
        case .applied:
            return true
        case .conditionFailed:
            return false
        case .inserted(let stray):
            // No such product: remove what the upsert made (it has no name).
            try await products.deleteOne(filter: ["_id": stray, "name": ["$exists": false]])
            return false
        }
    }

    /// Raises the fence of a marker an earlier attempt left (state unchanged), so that attempt cannot move it any
    /// more; true when the marker is this attempt's now (or a later attempt's already).
    private func adopt(_ line: Reservation.Line, orderId: String, move: StockMove, fence: FencingToken, now: Date)
        async throws -> Bool
    {
        guard move.fence < fence.value else { return true }
        let marker = Self.markerField(orderId)
        return try await compareAndSet(
            filter: [
                "_id": .string(line.sku), "\(marker).state": Condition.equals(.string(move.state.rawValue)),
                "\(marker).fence": Condition.atMost(.int64(fence.value)),
            ],
            update: ["$set": ["\(marker).fence": .int64(fence.value), "\(marker).at": .datetime(now)]])
    }

    /// What product `sku` holds for `orderId` (nil: no such product).
    private func look(sku: String, orderId: String) async throws -> (stock: Int64, horizon: Int64, move: StockMove?)? {
        let marker = Self.markerField(orderId)
        guard
            let document = try await products.findOne(
                ["_id": .string(sku)], projection: ["stock": 1, Self.horizonField: 1, marker: 1])
        else { return nil }
        let move = try document[path: marker].map { try BSONDecoder().decode(StockMove.self, fromValue: $0) }
        return (document["stock"]?.int64Value ?? 0, document[Self.horizonField]?.int64Value ?? 0, move)
    }

    private func settledRecord(orderId: String, sku: String) async throws -> SettledStock? {
        try await settled.findOne(["_id": .string(SettledStock.id(orderId: orderId, sku: sku))])
    }

    /// One line per SKU, quantities added, in SKU order (so concurrent orders touch products in the same order).
    static func merge(_ lines: [Reservation.Line]) -> [Reservation.Line] {
        var totals: [String: Int64] = [:]
        for line in lines { totals[line.sku, default: 0] += line.quantity }
        return totals.keys.sorted().map { Reservation.Line(sku: $0, quantity: totals[$0]!) }
    }
}

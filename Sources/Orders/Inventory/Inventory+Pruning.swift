import Foundation
import Mongo
import SagaKit

extension Inventory {
    /// Moves the settled markers (`committed`, `released`) whose last transition was issued before `cutoff` off
    /// the product documents into the orders' settled records, so per-order state does not pile up on hot
    /// documents; returns how many markers it moved.
    ///
    /// Each product is one conditional write that removes exactly the markers it read and raises the product's
    /// `fenceHorizon` to `cutoff` in the same update, so an attempt issued before `cutoff` — the only kind that
    /// could have seen a pruned marker — can never create a marker on that product again. A `committed` record
    /// still lets a refund bring the goods back (``StockTransition/restockSettled``), once.
    @discardableResult
    public func prune(settledBefore cutoff: Date, now: Date = Date()) async throws -> Int {
        let horizon = FencingToken.earliest(at: cutoff).value
        let candidates = try await products.find(
            [Self.markersField: ["$exists": true, "$ne": [:]]],
            options: FindOptions(projection: [Self.markersField: 1])
        ).toArray()
        // What each product holds that may go, read once.
        var settling: [(sku: String, moves: [(orderId: String, move: StockMove)])] = []
        for product in candidates {
            guard let sku = product["_id"]?.stringValue, let markers = product[Self.markersField]?.documentValue
            else { continue }
            let moves = markers.compactMap { orderId, value -> (orderId: String, move: StockMove)? in
                guard let move = try? BSONDecoder().decode(StockMove.self, fromValue: value),
                    move.state != .held, move.fence < horizon
                else { return nil }
                return (orderId, move)
            }
            if !moves.isEmpty { settling.append((sku, moves)) }
        }
        guard !settling.isEmpty else { return 0 }
        // Every settled record in one write. A record only moves forward (a larger fence): a pruner that read an
        // older marker and lands late changes nothing (its upsert collides with the record's `_id` and is ignored).
        let records: [WriteModel<SettledStock>] = settling.flatMap { sku, moves in
            moves.map { orderId, move in
                .updateOne(
                    filter: [
                        "_id": .string(SettledStock.id(orderId: orderId, sku: sku)),
                        "fence": ["$not": ["$gte": .int64(move.fence)]],
                    ],
                    update: [
                        "$set": [
                            "state": .string(move.state.rawValue), "quantity": .int64(move.quantity),
                            "fence": .int64(move.fence), "settledAt": .datetime(now),
                        ]
                    ], upsert: true)
            }
        }
        do {
            _ = try await settled.bulkWrite(records, ordered: false)
        } catch let failure as BulkWriteFailure
            where failure.writeConcernError == nil && failure.writeErrors.allSatisfy({ $0.kind == .duplicateKey })
        {
            // Records a later pruning already moved past: nothing to do for them.
        }
        // Then each product: remove exactly the markers read, if none moved since, and raise the horizon.
        var pruned = 0
        for (sku, moves) in settling {
            var filter: Document = ["_id": .string(sku)]
            var removed: Document = [:]
            for (orderId, move) in moves {
                let marker = Self.markerField(orderId)
                filter["\(marker).state"] = Condition.equals(.string(move.state.rawValue))
                filter["\(marker).fence"] = Condition.equals(.int64(move.fence))
                removed[marker] = ""
            }
            let result = try await products.updateOne(
                filter: filter, update: ["$unset": .document(removed), "$max": [Self.horizonField: .int64(horizon)]])
            if result.matchedCount == 1 { pruned += moves.count }
        }
        return pruned
    }
}

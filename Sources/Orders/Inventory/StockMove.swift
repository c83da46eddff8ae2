import Foundation
import Mongo

/// Where one order's units of one SKU stand, kept on the product document under `moves.<orderId>` so that each
/// change of stock and of that state is a single atomic compare-and-set.
///
/// The transitions, all of them (`q` is the order's quantity of the SKU):
///
/// | transition       | from          | to          | stock | reserved | made by                                   |
/// | ---------------- | ------------- | ----------- | ----- | -------- | ----------------------------------------- |
/// | `hold`           | none          | `held`      | −q    | +q       | reserve (needs `stock ≥ q`)               |
/// | `commit`         | `held`        | `committed` |       | −q       | commit (the goods shipped)                |
/// | `release`        | `held`        | `released`  | +q    | −q       | release                                   |
/// | `restock`        | `committed`   | `released`  | +q    |          | release (the shipped goods come back)     |
/// | `restockSettled` | none, settled `committed` | `released` | +q |   | release of an order whose marker was pruned |
/// | `refuse`         | none          | `released`  |       |          | release of units never held; a short reserve |
///
/// `released` is final. A marker is never removed while an attempt could still act on it: every transition
/// requires the attempt's fencing token to be at least the marker's (a superseded attempt changes nothing), and
/// a transition from none requires it to exceed the product's `fenceHorizon`. ``Inventory/prune(settledBefore:)``
/// moves settled markers (`committed`, `released`) issued before the horizon into the order's own settled record
/// and raises the horizon in the same write, so no attempt that could have seen a pruned marker can act again.
/// Whatever the interleaving of any number of attempts — repeated, overlapping, cut between writes or resumed
/// after a crash — each SKU walks this graph once, and stock ends as after one clean run.
public struct StockMove: Codable, Sendable, Hashable {
    /// Where the units are.
    public enum State: String, Codable, Sendable {
        /// Taken out of `stock` into `reserved`.
        case held
        /// Shipped: out of `reserved`, gone from the warehouse.
        case committed
        /// Back in `stock`, or never taken (a tombstone that refuses a late hold). Final.
        case released
    }

    /// The state.
    public var state: State
    /// The units of the SKU.
    public var quantity: Int64
    /// The fencing token of the attempt that made the last transition.
    public var fence: Int64
    /// When.
    public var at: Date
}

/// One edge of the graph in ``StockMove``'s table.
enum StockTransition: CaseIterable, Sendable {
    case hold, commit, release, restock, restockSettled, refuse

    /// The marker's state before (`nil`: no marker).
    var from: StockMove.State? {
        switch self {
        case .hold, .restockSettled, .refuse: nil
        case .commit, .release: .held
        case .restock: .committed
        }
    }

    /// The marker's state after.
    var to: StockMove.State {
        switch self {
        case .hold: .held
        case .commit: .committed
        case .release, .restock, .restockSettled, .refuse: .released
        }
    }

    /// How `stock` and `reserved` change, in units of the order's quantity.
    var deltas: (stock: Int64, reserved: Int64) {
        switch self {
        case .hold: (-1, 1)
        case .commit: (0, -1)
        case .release: (1, -1)
        case .restock, .restockSettled: (1, 0)
        case .refuse: (0, 0)
        }
    }

    /// The conditional update of product `sku` that makes this transition for `orderId`, or matches nothing.
    ///
    /// A transition from no marker requires the product's `fenceHorizon` below `fence`; with `horizonSeen`, exactly
    /// the horizon the caller saw when it decided (a release decides from the order's settled record, which a
    /// pruning between its look and its write may have changed; such a pruning always raises the horizon).
    func update(sku: String, orderId: String, quantity: Int64, fence: Int64, now: Date, horizonSeen: Int64? = nil)
        throws -> (filter: Document, update: Document)
    {
        let marker = Inventory.markerField(orderId)
        var filter: Document = ["_id": .string(sku)]
        if let from {
            filter["\(marker).state"] = Condition.equals(.string(from.rawValue))
            filter["\(marker).fence"] = Condition.atMost(.int64(fence))
        } else {
            filter[marker] = ["$exists": false]
            if let horizonSeen {
                filter[Inventory.horizonField] =
                    horizonSeen == 0 ? ["$not": ["$gt": .int64(0)]] : Condition.equals(.int64(horizonSeen))
            } else {
                filter[Inventory.horizonField] = ["$not": ["$gte": .int64(fence)]]
            }
        }
        let (stock, reserved) = deltas
        if stock < 0 { filter["stock"] = Condition.atLeast(.int64(quantity)) }
        var increments: Document = [:]
        if stock != 0 { increments["stock"] = .int64(stock * quantity) }
        if reserved != 0 { increments["reserved"] = .int64(reserved * quantity) }
        let move = StockMove(state: to, quantity: quantity, fence: fence, at: now)
        var update: Document = ["$set": [marker: try BSONEncoder().encodeValue(move)]]
        if !increments.isEmpty { update["$inc"] = .document(increments) }
        return (filter, update)
    }
}

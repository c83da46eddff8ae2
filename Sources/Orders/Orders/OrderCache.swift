import Synchronization

/// The orders this process read or placed recently, so a saga's steps do not read the same order again.
///
/// An order never changes once placed (its lines, prices, token and address are facts of the placement), so a
/// cached copy is always right. A saga's last step forgets its order, so the cache holds about the orders in
/// flight; the bound only caps memory when more are, forgetting the oldest entries first.
final class OrderCache: Sendable {
    private struct State {
        var orders: [OrderID: Order] = [:]
        var order: [OrderID] = []
        var head = 0
    }

    private let capacity: Int
    private let state = Mutex(State())

    /// A cache of at most `capacity` orders.
    init(capacity: Int = 4096) {
        self.capacity = capacity
    }

    /// The cached order, or nil.
    func order(_ id: OrderID) -> Order? {
        state.withLock { $0.orders[id] }
    }

    /// How many orders are cached.
    var count: Int { state.withLock { $0.orders.count } }

    /// How many ids the eviction queue holds (those of forgotten orders included, until it is compacted).
    var queuedIds: Int { state.withLock { $0.order.count - $0.head } }

    /// Remembers `order`, forgetting the oldest when full.
    func remember(_ order: Order) {
        state.withLock { state in
            guard state.orders.updateValue(order, forKey: order.id) == nil else { return }
            state.order.append(order.id)
            while state.orders.count > capacity {
                state.orders[state.order[state.head]] = nil
                state.head += 1
            }
            // Ids forgotten one by one stay in the queue until here: it is compacted once it holds more than twice
            // the orders still cached (plus some slack, so that compaction stays amortised O(1) per order).
            if state.order.count - state.head > 2 * state.orders.count + 64 || state.head > capacity {
                state.order = state.order[state.head...].filter { state.orders[$0] != nil }
                state.head = 0
            }
        }
    }

    /// Forgets the order with this id (its saga has ended; a later read loads it again).
    func forget(_ id: OrderID) {
        _ = state.withLock { $0.orders.removeValue(forKey: id) }
    }
}

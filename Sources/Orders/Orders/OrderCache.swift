import Synchronization

/// The orders this process read or placed recently, so a saga's steps do not read the same order again.
///
/// An order never changes once placed (its lines, prices, token and address are facts of the placement), so a
/// cached copy is always right; the cache only bounds memory, forgetting the oldest entries first.
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

    /// Remembers `order`, forgetting the oldest when full.
    func remember(_ order: Order) {
        state.withLock { state in
            guard state.orders.updateValue(order, forKey: order.id) == nil else { return }
            state.order.append(order.id)
            if state.orders.count > capacity {
                state.orders[state.order[state.head]] = nil
                state.head += 1
            }
            if state.head > capacity {
                state.order.removeFirst(state.head)
                state.head = 0
            }
        }
    }
}

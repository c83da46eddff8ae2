import Synchronization

/// The orders this process read or placed recently, so a saga's steps do not read the same order again.
///
/// An order never changes once placed (its lines, prices, token and address are facts of the placement), so a
/// cached copy is right; only its `sagaStartPending` mark is cleared here as soon as this process knows the saga is
/// started, before a recovery pass clears the stored one. A saga's last step forgets its order, so the cache holds about the orders in
/// flight (a saga that ends otherwise leaves its order until the bound pushes it out); the bound only caps
/// memory, forgetting the oldest entries first.
final class OrderCache: Sendable {
    private struct State {
        /// The cached orders, each with the ticket of its place in the queue.
        var orders: [OrderID: (order: Order, ticket: Int)] = [:]
        /// Arrivals, oldest first from `head`; an entry whose ticket is no longer its order's is stale (the order
        /// was forgotten, or forgotten and cached again later).
        var queue: [(id: OrderID, ticket: Int)] = []
        var head = 0
        var lastTicket = 0

        func isLive(_ entry: (id: OrderID, ticket: Int)) -> Bool { orders[entry.id]?.ticket == entry.ticket }

        /// Drops the stale entries from the queue.
        mutating func compact() {
            queue = queue[head...].filter(isLive)
            head = 0
        }
    }

    private let capacity: Int
    private let state = Mutex(State())

    /// A cache of at most `capacity` orders.
    init(capacity: Int = 4096) {
        self.capacity = capacity
    }

    /// The cached order, or nil.
    func order(_ id: OrderID) -> Order? {
        state.withLock { $0.orders[id]?.order }
    }

    /// How many orders are cached.
    var count: Int { state.withLock { $0.orders.count } }

    /// How many entries the eviction queue holds (stale ones included, until it is compacted).
    var queuedIds: Int { state.withLock { $0.queue.count - $0.head } }

    /// Remembers `order`, forgetting the oldest when full.
    func remember(_ order: Order) {
        state.withLock { state in
            guard state.orders[order.id] == nil else { return }
            state.lastTicket += 1
            state.orders[order.id] = (order, state.lastTicket)
            state.queue.append((order.id, state.lastTicket))
            while state.orders.count > capacity {
                let oldest = state.queue[state.head]
                if state.isLive(oldest) { state.orders[oldest.id] = nil }
                state.head += 1
            }
            // Stale entries stay in the queue until here: it is compacted once it holds more than twice the orders
            // still cached (plus some slack, so that compaction costs O(1) per order, amortised).
            if state.queue.count - state.head > 2 * state.orders.count + 64 || state.head > capacity {
                state.compact()
            }
        }
    }

    /// Notes that the cached order's saga is durably started: its copy drops the `sagaStartPending` mark, which the
    /// stored order keeps until a recovery pass clears it.
    func noteSagaStarted(_ id: OrderID) {
        state.withLock { state in state.orders[id]?.order.sagaStartPending = nil }
    }

    /// Forgets the order with this id (its saga has ended; a later read loads it again).
    func forget(_ id: OrderID) {
        _ = state.withLock { $0.orders.removeValue(forKey: id) }
    }
}

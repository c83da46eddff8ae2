import Foundation
import Mongo
import SagaKit

/// What placing an order did.
public enum Placement: Sendable {
    /// A new order, durable with its saga's first event.
    case placed(Order, SagaRecord)
    /// The same request was placed before with this idempotency key: the first order, unchanged.
    case replayed(Order, SagaRecord)
}

/// Why an order was refused; nothing was stored.
public enum PlacementError: Error, Sendable, Hashable {
    /// These items name SKUs the catalog does not have (by item index).
    case unknownSKUs([Int: String])
    /// The items are priced in more than one currency.
    case mixedCurrencies
    /// The idempotency key was used before with a different request.
    case idempotencyKeyReused
    /// Another request with this idempotency key is being placed right now.
    case idempotencyKeyInFlight
}

extension OrderSystem {
    /// Places an order: prices it from the catalog, stores it, and durably starts its saga.
    ///
    /// Returns once the order and the saga's first event are durable. With an idempotency key, a repeated
    /// identical request returns the first order and starts nothing; a different request with the same
    /// key is refused; of two concurrent requests with one key, one creates the order.
    ///
    /// Insert first: the order's unique `idempotencyScope` refuses a second order with the key, and only then is the
    /// first one read; a new order costs no look-up. Where the history store makes business writes, the order's
    /// insert and the saga's start go in one command (the saga is recorded only if the order was).
    public func place(_ request: OrderRequest, idempotencyKey: String?, now: Date = Date()) async throws -> Placement {
        let order = try await price(request, idempotencyKey: idempotencyKey, now: now)
        let started: SagaStartOutcome
        do {
            if engine.takesOutcomeWrites {
                do {
                    started = try await startSaga(for: order, after: [orderBook.insertWrite(order)])
                    orderBook.remember(order)
                } catch HistoryStoreError.outcomeWritesRefused(let error as MongoError)
                    where error.kind == .duplicateKey
                {
                    throw error
                } catch HistoryStoreError.outcomeWritesRefused {
                    // The store made no writes after all (the deployment turned out not to take them): one at a time.
                    try await orderBook.insert(order)
                    started = try await startSaga(for: order)
                }
            } else {
                try await orderBook.insert(order)
                started = try await startSaga(for: order)
            }
        } catch let error as MongoError where error.kind == .duplicateKey {
            guard let idempotencyKey,
                let existing = try await orderBook.order(customerId: request.customerId, idempotencyKey: idempotencyKey)
            else { throw error }
            return try await replay(existing, for: request)
        }
        orderBook.noteSagaStarted(order.id)
        return .placed(order, started.record)
    }

    /// The first answer for a repeated request, making sure its saga exists (the first attempt may have died in between).
    private func replay(_ existing: Order, for request: OrderRequest) async throws -> Placement {
        guard request.matches(existing) else { throw PlacementError.idempotencyKeyReused }
        if let snapshot = try await engine.snapshot(sagaId: existing.sagaId) {
            return .replayed(existing, snapshot.record)
        }
        // The order is stored but its saga is not: the first request is still between the two writes, or died there.
        guard existing.placedAt < Date().addingTimeInterval(-2) else { throw PlacementError.idempotencyKeyInFlight }
        return .replayed(existing, try await startSaga(for: existing).record)
    }

    /// The order for a request, priced from the catalog.
    func price(_ request: OrderRequest, idempotencyKey: String?, now: Date) async throws -> Order {
        let products = try await catalog.products(Set(request.items.map(\.sku)))
        var unknown: [Int: String] = [:]
        for (index, item) in request.items.enumerated() where products[item.sku] == nil { unknown[index] = item.sku }
        guard unknown.isEmpty else { throw PlacementError.unknownSKUs(unknown) }
        let lines = request.items.map { item -> OrderLine in
            let product = products[item.sku]!
            return OrderLine(
                sku: item.sku, name: product.name, quantity: item.quantity, unitPrice: product.price,
                lineTotal: product.price * item.quantity)
        }
        let currencies = Set(lines.map(\.unitPrice.currency))
        guard currencies.count == 1, let currency = currencies.first else { throw PlacementError.mixedCurrencies }
        let total = lines.reduce(Money.zero(currency)) { $0 + $1.lineTotal }
        let id = OrderID.generate(now: now)
        return Order(
            id: id, customerId: request.customerId, items: lines, total: total, paymentToken: request.paymentToken,
            shippingAddress: request.shippingAddress, sagaId: id.sagaId, placedAt: now,
            idempotencyKey: idempotencyKey,
            idempotencyScope: idempotencyKey.map {
                OrderBook.idempotencyScope(customerId: request.customerId, key: $0)
            },
            sagaStartPending: true)
    }

    /// Starts (idempotently) the saga of a stored order, or of one `writes` store first.
    @discardableResult
    func startSaga(for order: Order, after writes: [NamespacedWrite]? = nil) async throws -> SagaStartOutcome {
        let input = OrderSagaInput(
            orderId: order.id.rawValue, total: order.total.amountText, currency: order.total.currency)
        guard let writes else { return try await engine.start(definition, sagaId: order.sagaId, input: input) }
        return try await engine.start(definition, sagaId: order.sagaId, input: input, after: writes)
    }

    /// Starts the sagas of orders stored before a crash cut their placement short; returns how many it started.
    ///
    /// An order is marked `sagaStartPending` when stored. Every so often the marks older than `grace` are looked
    /// at, `limit` at a time: the orders whose saga is missing get it now (starting is idempotent), and the marks
    /// are cleared in one write — three round trips per `limit` orders placed. Only the marked orders' ids are read,
    /// at most `limit` to a reply: a pooled connection keeps a read buffer as large as the largest reply it has read,
    /// so replies of whole orders would grow the service's memory. A marked document whose `_id` is not an order id
    /// this service issues can have no saga: its mark is cleared, with a warning, so it cannot hold up the others.
    @discardableResult
    public func resumeInterruptedPlacements(grace: Duration = .seconds(30), limit: Int = 100) async throws -> Int {
        let seconds = Double(grace.components.seconds) + Double(grace.components.attoseconds) / 1e18
        let cutoff = Date().addingTimeInterval(-seconds)
        var started = 0
        while true {
            let marked = try await orderBook.idsAwaitingSaga(placedBefore: cutoff, limit: limit)
            guard !marked.isEmpty else { return started }
            let ids = marked.compactMap { OrderID($0) }
            if ids.count < marked.count {
                logger.warning(
                    "marks cleared on documents whose ids are not order ids this service issues (they can have no saga)",
                    metadata: ["ids": "\(marked.filter { OrderID($0) == nil })"])
            }
            let existing = try await history.existingSagaIds(ids.map(\.sagaId))
            for id in ids where !existing.contains(id.sagaId) {
                guard let order = try await orderBook.order(id) else { continue }
                logger.notice(
                    "starting the saga of an order whose placement was interrupted", metadata: ["orderId": "\(id)"])
                try await startSaga(for: order)
                started += 1
            }
            try await orderBook.clearSagaStartPending(marked)
            guard marked.count == limit else { return started }
        }
    }
}

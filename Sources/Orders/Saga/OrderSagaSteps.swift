import Foundation
import Mongo
import SagaKit

/// What each step of the order saga does: business writes in MongoDB and provider calls, all keyed by
/// the step's idempotency key so that a repeated attempt has its effect once.
struct OrderSagaSteps: Sendable {
    let orders: OrderBook
    let inventory: Inventory
    let payments: PaymentRecords
    let shipments: ShipmentRecords
    let gateway: PaymentGateway
    let carrier: Carrier
    let mailer: Mailer

    /// What ReserveInventory records.
    struct Reserved: Codable, Sendable { let lines: [Reservation.Line] }
    /// What ChargePayment records.
    struct Charged: Codable, Sendable { let chargeId: String; let amount: String; let currency: String }
    /// What CreateShipment records.
    struct Shipped: Codable, Sendable { let shipmentId: String }
    /// What SendConfirmation records.
    struct Confirmed: Codable, Sendable { let messageId: String }

    func reserveInventory(_ context: StepContext<OrderSagaInput>) async throws -> Reserved {
        let order = try await load(context.input.orderId)
        if context.mayDeferWrites {
            // Held with the record of the step's completion, in one command; a refusal runs this step again below.
            try context.deferWrites(
                try inventory.holdWrites(
                    orderId: order.id.rawValue, lines: order.reservationLines, fence: context.fence.token))
            return Reserved(lines: Inventory.merge(order.reservationLines))
        }
        do {
            try await inventory.reserve(
                orderId: order.id.rawValue, lines: order.reservationLines, fence: context.fence.token)
            return Reserved(lines: Inventory.merge(order.reservationLines))
        } catch let shortage as InsufficientStock {
            throw StepError.nonRetryable(kind: "InsufficientStock", message: shortage.description)
        } catch let released as ReservationReleased {
            throw StepError.nonRetryable(kind: "ReservationReleased", message: released.description)
        } catch let superseded as StockMoveSuperseded {
            throw Self.superseded(superseded)
        }
    }

    func releaseInventory(_ context: CompensationContext<OrderSagaInput>) async throws {
        let order = try await load(context.input.orderId)
        do {
            try await inventory.release(
                orderId: order.id.rawValue, lines: order.reservationLines, fence: context.fence.token)
        } catch let superseded as StockMoveSuperseded {
            throw Self.superseded(superseded)
        }
        // The last compensation: the saga needs the order no more.
        orders.forget(order.id)
    }

    func chargePayment(_ context: StepContext<OrderSagaInput>) async throws -> Charged {
        let order = try await load(context.input.orderId)
        try context.fence.checkLease()
        let charge = try await gateway.charge(
            orderId: order.id.rawValue, amount: order.total, token: order.paymentToken,
            idempotencyKey: context.idempotencyKey)
        if context.mayDeferWrites {
            try context.deferWrites([
                try payments.chargeWrite(
                    orderId: order.id.rawValue, chargeId: charge.id, amount: order.total, at: Date(),
                    fence: context.fence.token)
            ])
        } else {
            try await payments.recordCharge(
                orderId: order.id.rawValue, chargeId: charge.id, amount: order.total, at: Date(),
                fence: context.fence.token)
        }
        return Charged(chargeId: charge.id, amount: order.total.amountText, currency: order.total.currency)
    }

    func refundPayment(_ context: CompensationContext<OrderSagaInput>) async throws {
        let order = try await load(context.input.orderId)
        try context.fence.checkLease()
        let outcome = try await gateway.refund(
            orderId: order.id.rawValue, chargeIdempotencyKey: context.stepIdempotencyKey,
            idempotencyKey: context.idempotencyKey)
        let refundId: String? =
            switch outcome {
            case .refunded(let id): id
            case .nothingToRefund: nil
            }
        try await payments.recordSettlement(
            orderId: order.id.rawValue, refundId: refundId, amount: order.total, at: Date(),
            fence: context.fence.token)
    }

    func createShipment(_ context: StepContext<OrderSagaInput>) async throws -> Shipped {
        let order = try await load(context.input.orderId)
        try context.fence.checkLease()
        let shipmentId = try await carrier.createShipment(
            orderId: order.id.rawValue, address: order.shippingAddress, items: order.items,
            idempotencyKey: context.idempotencyKey)
        if context.mayDeferWrites {
            let fence = context.fence.token
            try context.deferWrites(
                [shipments.createdWrite(orderId: order.id.rawValue, shipmentId: shipmentId, at: Date(), fence: fence)]
                    + (try inventory.commitWrites(
                        orderId: order.id.rawValue, lines: order.reservationLines, fence: fence)))
            return Shipped(shipmentId: shipmentId)
        }
        try await shipments.recordCreated(
            orderId: order.id.rawValue, shipmentId: shipmentId, at: Date(), fence: context.fence.token)
        // The goods have left: the held units leave `reserved` for good.
        do {
            try await inventory.commit(
                orderId: order.id.rawValue, lines: order.reservationLines, fence: context.fence.token)
        } catch let superseded as StockMoveSuperseded {
            throw Self.superseded(superseded)
        } catch let released as ReservationReleased {
            throw StepError.retryable(kind: "ReservationReleased", message: released.description)
        }
        return Shipped(shipmentId: shipmentId)
    }

    func cancelShipment(_ context: CompensationContext<OrderSagaInput>) async throws {
        try context.fence.checkLease()
        let outcome = try await carrier.cancelShipment(
            orderId: context.input.orderId, shipmentIdempotencyKey: context.stepIdempotencyKey,
            idempotencyKey: context.idempotencyKey)
        try await shipments.recordCancelled(
            orderId: context.input.orderId, shipped: outcome == .cancelled, at: Date(), fence: context.fence.token)
    }

    func sendConfirmation(_ context: StepContext<OrderSagaInput>) async throws -> Confirmed {
        let order = try await load(context.input.orderId)
        try context.fence.checkLease()
        let messageId = try await mailer.send(
            orderId: order.id.rawValue, template: "order-confirmation", recipient: "customer:\(order.customerId)",
            idempotencyKey: context.idempotencyKey)
        // The last step: the saga needs the order no more.
        orders.forget(order.id)
        return Confirmed(messageId: messageId)
    }

    /// The retryable failure of an attempt that a later attempt overtook (its outcome is never recorded: the
    /// executor that runs the later attempt holds the saga).
    private static func superseded(_ error: StockMoveSuperseded) -> StepError {
        .retryable(kind: "Superseded", message: error.description)
    }

    /// The order the saga works on; its absence is final (the saga has nothing to do).
    private func load(_ orderId: String) async throws -> Order {
        guard let id = OrderID(orderId) else {
            throw StepError.nonRetryable(kind: "OrderNotFound", message: "\(orderId) is not an order id")
        }
        guard let order = try await orders.order(id) else {
            throw StepError.nonRetryable(kind: "OrderNotFound", message: "order \(orderId) does not exist")
        }
        return order
    }
}

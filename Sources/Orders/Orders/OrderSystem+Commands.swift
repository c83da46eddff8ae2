import Foundation
import SagaKit

/// What an operator or customer command did to an order's saga.
public enum OrderCommandOutcome: Sendable, Hashable {
    /// Accepted (or already requested: commands are idempotent); the saga acts on it.
    case accepted(OrderSagaStatus)
    /// It does not fit the saga's state (the API answers 409).
    case conflict(OrderSagaStatus, reason: String)
    /// No such order or saga.
    case notFound
}

extension OrderSystem {
    /// Lets an order waiting for approval continue.
    public func approve(_ order: Order) async throws -> OrderCommandOutcome {
        try await signal(order, OrderSaga.Signal.approve, action: "approve")
    }

    /// Turns down an order waiting for approval; it is compensated.
    public func reject(_ order: Order) async throws -> OrderCommandOutcome {
        try await signal(order, OrderSaga.Signal.reject, action: "reject")
    }

    /// Cancels an order whose saga is still running or waiting: it stops and undoes what was done.
    /// Cancelling again — while the cancellation compensates, once it is done, or while it is STUCK — answers as the
    /// first time.
    public func cancel(_ order: Order, reason: String?) async throws -> OrderCommandOutcome {
        let outcome = try await engine.cancel(sagaId: order.sagaId, reason: reason)
        if case .notApplicable = outcome, let snapshot = try await engine.snapshot(sagaId: order.sagaId),
            let underway = Self.cancelAlreadyUnderway(snapshot.state)
        {
            return underway
        }
        return try await describe(outcome, order: order, action: "cancel")
    }

    /// The answer to a cancel when the saga is already being (or was) cancelled: the same as the first time.
    static func cancelAlreadyUnderway(_ state: SagaState) -> OrderCommandOutcome? {
        guard state.compensation?.cause == .cancel else { return nil }
        return .accepted(OrderSagaStatus(state.status))
    }

    /// Refunds a completed order (its shipment is cancelled, its payment refunded, its goods back in stock),
    /// or retries the compensation of a STUCK one. Asking again answers as the first time and refunds nothing more.
    public func refund(_ order: Order) async throws -> OrderCommandOutcome {
        guard let snapshot = try await engine.snapshot(sagaId: order.sagaId) else { return .notFound }
        if let settled = Self.refundAlreadyUnderway(snapshot.state) { return settled }
        let outcome: SagaCommandOutcome
        switch snapshot.state.status {
        case .completed: outcome = try await engine.revert(sagaId: order.sagaId)
        case .stuck: outcome = try await engine.retry(sagaId: order.sagaId)
        default:
            let shown = OrderSagaStatus(snapshot.state.status)
            return .conflict(
                shown,
                reason: "only a COMPLETED order can be refunded, or a STUCK one retried; this one is \(shown.rawValue)")
        }
        // The saga may have moved on between the two looks (another refund got there first): look again.
        if case .notApplicable = outcome, let fresh = try await engine.snapshot(sagaId: order.sagaId),
            let settled = Self.refundAlreadyUnderway(fresh.state)
        {
            return settled
        }
        return try await describe(outcome, order: order, action: "refund")
    }

    /// The answer to a refund when one is already done or under way: the same as the first time.
    private static func refundAlreadyUnderway(_ state: SagaState) -> OrderCommandOutcome? {
        switch state.status {
        case .reverted: .accepted(.refunded)
        case .compensating where state.revertRequested: .accepted(.compensating)
        default: nil
        }
    }

    private func signal(_ order: Order, _ name: String, action: String) async throws -> OrderCommandOutcome {
        try await describe(try await engine.signal(sagaId: order.sagaId, name: name), order: order, action: action)
    }

    private func describe(_ outcome: SagaCommandOutcome, order: Order, action: String) async throws
        -> OrderCommandOutcome
    {
        switch outcome {
        case .notFound:
            return .notFound
        case .notApplicable(let status):
            let shown = OrderSagaStatus(status)
            return .conflict(shown, reason: "cannot \(action) an order whose saga is \(shown.rawValue)")
        case .waitAnswered(let answer):
            return .conflict(
                .awaitingApproval, reason: "cannot \(action): this order's approval was already answered (\(answer))")
        case .accepted:
            let status = try await engine.snapshot(sagaId: order.sagaId).map { OrderSagaStatus($0.state.status) }
            return .accepted(status ?? .running)
        }
    }
}

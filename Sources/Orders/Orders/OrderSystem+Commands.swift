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

/// Who asked for a command and why: recorded with the command's signal in the saga's history.
public struct CommandAttribution: Sendable, Hashable {
    /// Who acted: a key's fingerprint or a token's subject, never a secret.
    public var actor: String
    /// The role they acted in.
    public var role: String
    /// Why, in their words (at most 256 characters; the API checks it).
    public var reason: String?

    /// Creates an attribution.
    public init(actor: String, role: String, reason: String? = nil) {
        self.actor = actor
        self.role = role
        self.reason = reason
    }

    /// The signal's payload: `{reason, actor, role}`.
    var payload: JSONValue {
        ["reason": reason.map(JSONValue.string) ?? .null, "actor": .string(actor), "role": .string(role)]
    }
}

extension OrderSystem {
    /// Lets an order waiting for approval continue.
    public func approve(_ order: Order, by attribution: CommandAttribution) async throws -> OrderCommandOutcome {
        try await describe(
            try await engine.signal(sagaId: order.sagaId, name: OrderSaga.Signal.approve, payload: attribution.payload),
            order: order, action: "approve")
    }

    /// Turns down an order waiting for approval; it is compensated.
    public func reject(_ order: Order, by attribution: CommandAttribution) async throws -> OrderCommandOutcome {
        try await describe(
            try await engine.signal(sagaId: order.sagaId, name: OrderSaga.Signal.reject, payload: attribution.payload),
            order: order, action: "reject")
    }

    /// Resumes a STUCK saga with a fresh attempt budget (its compensation, or a forward step that may not be undone).
    /// Asking again while the retry is pending answers as the first time.
    public func retry(_ order: Order, by attribution: CommandAttribution) async throws -> OrderCommandOutcome {
        try await describe(
            try await engine.retry(sagaId: order.sagaId, payload: attribution.payload), order: order, action: "retry")
    }

    /// Cancels an order whose saga is still running or waiting: it stops and undoes what was done.
    /// Cancelling again — while the cancellation compensates, once it is done, or while it is STUCK — answers as the
    /// first time.
    public func cancel(_ order: Order, by attribution: CommandAttribution) async throws -> OrderCommandOutcome {
        let outcome = try await engine.cancel(sagaId: order.sagaId, payload: attribution.payload)
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
    public func refund(_ order: Order, by attribution: CommandAttribution) async throws -> OrderCommandOutcome {
        guard let snapshot = try await engine.snapshot(sagaId: order.sagaId) else { return .notFound }
        if let settled = Self.refundAlreadyUnderway(snapshot.state) { return settled }
        let outcome: SagaCommandOutcome
        switch snapshot.state.status {
        case .completed: outcome = try await engine.revert(sagaId: order.sagaId, payload: attribution.payload)
        case .stuck: outcome = try await engine.retry(sagaId: order.sagaId, payload: attribution.payload)
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

/// What a batch retry did: the orders whose STUCK saga it resumed, and those it could not.
public struct BatchRetryOutcome: Sendable, Hashable {
    /// An order it could not retry, and why (its saga moved on before the retry reached it, say).
    public struct Failure: Sendable, Hashable {
        public var orderId: String
        public var detail: String
    }

    /// Orders whose saga will be tried again.
    public var retried: [String] = []
    /// Orders it could not retry.
    public var failed: [Failure] = []
}

extension OrderSystem {
    /// Retries up to `limit` STUCK sagas, newest started first, each as ``retry(_:by:)`` would.
    public func retryStuck(limit: Int, by attribution: CommandAttribution) async throws -> BatchRetryOutcome {
        let page = try await history.list(SagaListQuery(status: .stuck, limit: limit))
        var outcome = BatchRetryOutcome()
        for summary in page.items {
            let orderId = OrderID(sagaId: summary.id)?.rawValue ?? summary.id
            let result: SagaCommandOutcome
            do {
                result = try await engine.retry(sagaId: summary.id, payload: attribution.payload)
            } catch {
                outcome.failed.append(.init(orderId: orderId, detail: "its saga could not be reached: \(error)"))
                continue
            }
            switch result {
            case .accepted:
                outcome.retried.append(orderId)
            case .notApplicable(let status):
                outcome.failed.append(
                    .init(orderId: orderId, detail: "its saga is \(OrderSagaStatus(status).rawValue) now"))
            case .notFound:
                outcome.failed.append(.init(orderId: orderId, detail: "its saga is gone"))
            case .waitAnswered(let answer):
                outcome.failed.append(.init(orderId: orderId, detail: "its wait was already answered (\(answer))"))
            }
        }
        return outcome
    }
}

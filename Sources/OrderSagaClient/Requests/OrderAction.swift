/// A command on one order's saga: `POST /v1/orders/{id}/{action}`.
public enum OrderAction: String, CaseIterable, Sendable {
    /// Let an order waiting for approval go on.
    case approve
    /// Refuse an order waiting for approval: it is compensated.
    case reject
    /// Stop a running saga and undo what it did.
    case cancel
    /// Refund a completed order, or retry the compensation of a stuck one.
    case refund
    /// Retry a stuck saga.
    case retry
}

/// The optional body of an order command.
struct CommandBody: Encodable {
    let reason: String
}

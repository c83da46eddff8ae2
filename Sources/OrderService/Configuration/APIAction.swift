/// What a caller may do through the API; every route checks one action, never a role's name.
enum APIAction: String, CaseIterable, Sendable, Hashable, Comparable {
    case ordersPlace = "orders.place"
    case ordersRead = "orders.read"
    case sagasRead = "sagas.read"
    case sagasApprove = "sagas.approve"
    case sagasCancel = "sagas.cancel"
    case sagasRefund = "sagas.refund"
    case sagasRetry = "sagas.retry"
    case productsRead = "products.read"
    case productsWrite = "products.write"

    static func < (lhs: APIAction, rhs: APIAction) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A named set of actions: the built-in `operator`, `customer` and `viewer`.
struct Role: Sendable, Hashable {
    /// The role's name, as `API_KEYS` spells it.
    let name: String
    /// What the role may do.
    let actions: Set<APIAction>

    /// Everything.
    static let `operator` = Role(name: "operator", actions: Set(APIAction.allCases))
    /// Places orders and reads, cancels its own (a key bound to a customer sees only that customer's orders).
    static let customer = Role(name: "customer", actions: [.ordersPlace, .ordersRead, .sagasCancel, .productsRead])
    /// Reads everything an operator may read and changes nothing.
    static let viewer = Role(name: "viewer", actions: [.ordersRead, .sagasRead, .productsRead])

    /// The built-in roles by name.
    static let builtIn: [String: Role] = [Role.operator.name: .operator, customer.name: customer, viewer.name: viewer]

    /// Whether the role may do `action`.
    func allows(_ action: APIAction) -> Bool { actions.contains(action) }
}

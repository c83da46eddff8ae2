/// Who an API key belongs to: an operator, or a customer (possibly bound to one customer id).
struct Principal: Sendable, Hashable {
    /// What a key may do; an operator may do all a customer may.
    enum Role: String, Sendable, Hashable, Comparable {
        case customer
        case `operator`

        static func < (lhs: Role, rhs: Role) -> Bool { lhs == .customer && rhs == .operator }
    }

    /// The key's role.
    let role: Role
    /// For a customer key bound to one customer: that customer's id.
    let boundCustomerId: String?
    /// A short, non-secret name for logs: a fingerprint of the key, never its characters.
    let keyLabel: String

    /// Whether this caller may see or act on an order of `customerId`.
    func canAccess(customerId: String) -> Bool {
        role == .operator || boundCustomerId == nil || boundCustomerId == customerId
    }
}

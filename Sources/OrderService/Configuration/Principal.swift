import Orders

/// Who is calling: the role of their key and, for a customer key, the one customer it may be bound to.
struct Principal: Sendable, Hashable {
    /// What the caller may do.
    let role: Role
    /// For a key bound to one customer: that customer's id.
    let boundCustomerId: String?
    /// Who acts, as logs, the history and the audit trail name them: a key's fingerprint (never its characters) or
    /// a token's subject.
    let actor: String

    /// Whether this caller may see or act on an order of `customerId`.
    func canAccess(customerId: String) -> Bool {
        boundCustomerId == nil || boundCustomerId == customerId
    }
}

extension Principal {
    /// This caller as the history records who acted: their fingerprint and role, with their reason.
    func attribution(reason: String?) -> CommandAttribution {
        CommandAttribution(actor: actor, role: role.name, reason: reason)
    }
}

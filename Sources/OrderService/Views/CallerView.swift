import Foundation

/// `GET /v1/me`: who the caller is and what they may do (the console shows only what they may do).
struct CallerView: Encodable {
    let role: String
    let actions: [String]
    @ExplicitNull var customerId: String?
    /// The caller's non-secret name, as history records it: the key's fingerprint.
    let subject: String

    init(_ principal: Principal) {
        role = principal.role.name
        actions = principal.role.actions.sorted().map(\.rawValue)
        customerId = principal.boundCustomerId
        subject = principal.actor
    }
}

/// Answers shared by the store's operations.
extension SandboxStore {
    /// The 409 for a create call whose key a refund or cancel voided; never stored, nothing recorded.
    static func voidedOutcome(_ scope: IdempotencyScope) -> MutationOutcome {
        MutationOutcome(
            response: .error(
                status: 409, code: "voided",
                message: "The \(scope.family.rawValue) key '\(scope.key)' was voided by an earlier refund or cancel."))
    }
}

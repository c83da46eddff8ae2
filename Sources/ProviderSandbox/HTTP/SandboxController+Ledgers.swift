import Hummingbird

/// The read-only ledger endpoints.
extension SandboxController {
    /// Answers `{items: [...]}` with the entries of the order named by `?orderId=`, or all entries without it.
    func ledger<Entry: Encodable & Sendable>(
        _ request: Request,
        route: String,
        entries: @Sendable (_ orderId: String?) async -> [Entry]
    ) async throws -> Response {
        await statistics.recordCall(route)
        let orderId = request.uri.queryParameters["orderId"].flatMap { $0.isEmpty ? nil : String($0) }
        return try Response.json(status: 200, LedgerPage(items: await entries(orderId)))
    }
}

/// The body of the ledger endpoints.
struct LedgerPage<Entry: Encodable & Sendable>: Encodable, Sendable {
    /// The entries, in the order they were recorded.
    let items: [Entry]
}

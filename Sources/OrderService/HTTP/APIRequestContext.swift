import Hummingbird

/// The request context of the API: Hummingbird's core storage plus the caller's identity once authenticated.
struct APIRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// Who is calling, set by ``AuthenticationMiddleware`` on `/v1` routes.
    var principal: Principal?

    init(source: ApplicationRequestContextSource) {
        coreContext = CoreRequestContextStorage(source: source)
        principal = nil
    }

    /// The body limit: 64 KiB (the contract's); larger bodies are refused with 413.
    var maxUploadSize: Int { 64 * 1024 }

    /// The authenticated caller; throws 403 when their role may not do `action`.
    func require(_ action: APIAction) throws(Problem) -> Principal {
        guard let principal else { throw Problem.status(.unauthorized, "an API key is required") }
        guard principal.role.allows(action) else {
            throw Problem(
                type: Problem.typeBase + "forbidden", title: "Forbidden", status: .forbidden,
                detail: "the \(principal.role.name) role may not do \(action.rawValue)")
        }
        return principal
    }

    /// The authenticated caller, who must be allowed `action` and act for every customer: a caller bound to one
    /// customer (its orders only) is refused what would show or change other customers' sagas.
    func requireAllCustomers(_ action: APIAction) throws(Problem) -> Principal {
        let principal = try require(action)
        if let customerId = principal.boundCustomerId {
            throw Problem(
                type: Problem.typeBase + "forbidden", title: "Forbidden", status: .forbidden,
                detail: "this caller acts for customer \(customerId) only; \(action.rawValue) covers every customer")
        }
        return principal
    }
}

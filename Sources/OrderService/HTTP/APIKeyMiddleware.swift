import Hummingbird

/// Authenticates `/v1` calls by `Authorization: Bearer <key>`: 401 without a known key.
///
/// Keys are never logged or stored; only a short label of the key is put in the request's log metadata.
struct APIKeyMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let keys: APIKeys

    func handle(
        _ request: Request, context: APIRequestContext,
        next: (Request, APIRequestContext) async throws -> Response
    ) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            throw Self.unauthorized("send an API key as 'Authorization: Bearer <key>'")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer",
            let principal = keys.principal(for: String(parts[1].drop(while: { $0 == " " })))
        else {
            throw Self.unauthorized("the API key is not valid")
        }
        var context = context
        context.principal = principal
        context.logger[metadataKey: "key"] = "\(principal.keyLabel)"
        return try await next(request, context)
    }

    static func unauthorized(_ detail: String) -> Problem {
        var problem = Problem(
            type: Problem.typeBase + "unauthorized", title: "Unauthorized", status: .unauthorized, detail: detail)
        problem.headers[.wwwAuthenticate] = "Bearer"
        return problem
    }
}

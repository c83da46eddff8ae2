import Hummingbird
import Identity

/// Authenticates `/v1` calls by `Authorization: Bearer <credential>`: an API key, or (when configured) a JWT from the
/// OIDC provider; 401 without a valid one.
///
/// Neither keys nor tokens are logged or stored; the request's log metadata and the history name the caller by a
/// key's fingerprint or a token's subject.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let keys: APIKeys
    /// Verifies bearer JWTs; nil when only API keys are accepted.
    let tokens: TokenVerifier?
    /// The roles a token's roles claim may name.
    let roles: [String: Role]

    func handle(
        _ request: Request, context: APIRequestContext,
        next: (Request, APIRequestContext) async throws -> Response
    ) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            throw Self.unauthorized("send an API key or a token as 'Authorization: Bearer <credential>'")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw Self.unauthorized("the Authorization scheme must be Bearer")
        }
        let credential = String(parts[1].drop(while: { $0 == " " }))
        var context = context
        if let principal = keys.principal(for: credential) {
            context.principal = principal
        } else if let tokens, TokenVerifier.looksLikeToken(credential) {
            context.principal = try await principal(verifying: credential, with: tokens)
        } else {
            throw Self.unauthorized("the API key is not valid")
        }
        context.logger[metadataKey: "caller"] = "\(context.principal?.actor ?? "")"
        return try await next(request, context)
    }

    /// The caller a token names: its subject, the union of the roles its roles claim names (unknown names give
    /// nothing), and its customer.
    private func principal(verifying token: String, with tokens: TokenVerifier) async throws -> Principal {
        let identity: TokenVerifier.Identity
        do {
            identity = try await tokens.verify(token)
        } catch .keysUnavailable {
            throw Problem.unavailable(TokenVerifier.Failure.keysUnavailable.description)
        } catch {
            throw Self.unauthorized(error.description, error: "invalid_token")
        }
        let named = identity.roles.compactMap { roles[$0] }
        if tokens.settings.customerClaim != nil, identity.customerId == nil, named.contains(.customer) {
            // Fail closed: a customer whose token names no customer would otherwise see every customer's orders.
            throw Self.unauthorized("the token names no customer", error: "invalid_token")
        }
        let role = Role(
            name: named.isEmpty ? "none" : named.map(\.name).sorted().joined(separator: "+"),
            actions: named.reduce(into: Set<APIAction>()) { $0.formUnion($1.actions) })
        return Principal(role: role, boundCustomerId: identity.customerId, actor: identity.subject)
    }

    /// A 401 with `WWW-Authenticate: Bearer`, and the RFC 6750 `error` and `error_description` for a refused token.
    static func unauthorized(_ detail: String, error: String? = nil) -> Problem {
        var problem = Problem(
            type: Problem.typeBase + "unauthorized", title: "Unauthorized", status: .unauthorized, detail: detail)
        problem.headers[.wwwAuthenticate] =
            error.map { #"Bearer error="\#($0)", error_description="\#(detail)""# } ?? "Bearer"
        return problem
    }
}

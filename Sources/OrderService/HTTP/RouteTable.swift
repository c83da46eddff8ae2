import Hummingbird

/// The API's routes and their methods, to answer 405 (with `Allow`) rather than 404 for a known path.
///
/// Hummingbird's router answers 404 when a path exists but not for the request's method, whatever the method
/// (TRACE, QUERY, …); an API's users expect 405 and the methods that path does answer.
struct RouteTable: Sendable {
    private var methods: [String: Set<HTTPRequest.Method>] = [:]

    /// Remembers that `path` (with `{parameter}` segments) answers `method`.
    mutating func record(_ method: HTTPRequest.Method, _ path: String) {
        methods[path, default: []].insert(method)
    }

    /// The route matching `path` (its pattern, as metrics name it) and the methods it answers (HEAD wherever GET),
    /// or nil when no route matches.
    func route(matching path: String) -> (pattern: String, allowedMethods: [String])? {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        for (pattern, allowed) in methods {
            let parts = pattern.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == segments.count else { continue }
            let matches = zip(parts, segments).allSatisfy { part, segment in
                (part.hasPrefix("{") && part.hasSuffix("}") && !segment.isEmpty) || part == segment
            }
            if matches {
                var names = Set(allowed.map(\.rawValue))
                if names.contains("GET") { names.insert("HEAD") }
                return (pattern, names.sorted())
            }
        }
        return nil
    }
}

/// Turns the router's 404 for a known path with another method into a 405 problem with `Allow`.
///
/// Added to the router after every route, so it wraps only the router's not-found responder.
struct MethodNotAllowedMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let routes: RouteTable

    func handle(
        _ request: Request, context: APIRequestContext,
        next: (Request, APIRequestContext) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            guard let route = routes.route(matching: request.uri.path) else { throw error }
            context.coreContext.endpointPath.value = route.pattern
            let allow = route.allowedMethods.joined(separator: ", ")
            var problem = Problem.status(.methodNotAllowed, "\(request.uri.path) answers \(allow)")
            problem.headers[.allow] = allow
            throw problem
        }
    }
}

import Hummingbird

/// Answers 503 with `Retry-After` on `/v1` until the stores are prepared (indexes created).
struct StoresReadyMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let preparation: StoresPreparation

    func handle(
        _ request: Request, context: APIRequestContext,
        next: (Request, APIRequestContext) async throws -> Response
    ) async throws -> Response {
        guard preparation.isPrepared else {
            throw Problem.unavailable("the service is starting: its stores are not ready yet", retryAfter: 2)
        }
        return try await next(request, context)
    }
}

/// The stores' indexes are not created yet.
struct StoresNotPrepared: Error, CustomStringConvertible {
    var description: String { "indexes not created yet" }
}

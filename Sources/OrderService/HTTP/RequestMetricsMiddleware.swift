import Hummingbird
import Metrics

/// Counts HTTP requests by method, route and status, and times them by route (Prometheus
/// `http_requests_total` and `http_request_duration_seconds`).
struct RequestMetricsMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    func handle(
        _ request: Request, context: APIRequestContext,
        next: (Request, APIRequestContext) async throws -> Response
    ) async throws -> Response {
        let started = ContinuousClock.now
        let response = try await next(request, context)
        // Hummingbird names a request no route answered "NotFound"; a 405 names the route whose path matched.
        let route = context.endpointPath.flatMap { $0 == "NotFound" ? nil : $0 } ?? "unmatched"
        let method = request.method.rawValue
        Counter(
            label: "http_requests_total",
            dimensions: [("method", method), ("route", route), ("status", String(response.status.code))]
        ).increment()
        Timer(label: "http_request_duration_seconds", dimensions: [("method", method), ("route", route)])
            .recordInterval(since: started)
        return response
    }
}

extension Timer {
    /// Records the time since `start`.
    func recordInterval(since start: ContinuousClock.Instant) {
        let (seconds, attoseconds) = (ContinuousClock.now - start).components
        recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}

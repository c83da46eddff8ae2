import Hummingbird
import Logging
import Mongo
import NIOCore
import SagaKit

/// Turns every error into an `application/problem+json` answer: the service's own problems, the framework's
/// HTTP errors (404, 405, 413, 415…), store outages (503 with `Retry-After`) and anything unexpected (500,
/// logged with the request id, never a stack trace in the body).
struct ProblemMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    func handle(
        _ request: Request, context: APIRequestContext,
        next: (Request, APIRequestContext) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let problem = Self.problem(for: error, logger: context.logger)
            return problem.response()
        }
    }

    static func problem(for error: any Error, logger: Logger) -> Problem {
        switch error {
        case let problem as Problem:
            return problem
        case let error as HTTPError:
            var problem = Problem.status(error.status, error.body ?? defaultDetail(error.status))
            problem.headers = error.headers
            return problem
        case is NIOTooManyBytesError:
            // A body sent without Content-Length that outgrew the limit while it was read.
            return .status(.contentTooLarge, defaultDetail(.contentTooLarge))
        case let error as MongoError where error.isTransient || error.kind == .shutdown:
            logger.warning("business store unavailable", metadata: ["error": "\(error)"])
            return .unavailable("the order database is unavailable; try again shortly")
        case HistoryStoreError.unavailable(let reason):
            logger.warning("history store unavailable", metadata: ["error": "\(reason)"])
            return .unavailable("the saga history store is unavailable; try again shortly")
        case SagaEngineError.shuttingDown:
            return .unavailable("the service is shutting down; try again on another instance", retryAfter: 1)
        default:
            logger.error("unexpected error", metadata: ["error": "\(error)", "type": "\(type(of: error))"])
            return .status(.internalServerError, "an unexpected error occurred; it has been logged")
        }
    }

    static func defaultDetail(_ status: HTTPResponse.Status) -> String {
        switch status {
        case .notFound: "no resource at this path"
        case .methodNotAllowed: "this path does not support this method"
        case .contentTooLarge: "the request body is larger than 64 KiB"
        case .unsupportedMediaType: "the request body must be application/json"
        default: status.reasonPhrase
        }
    }
}

/// Why a call to the service did not give the answer asked for.
///
/// Each case belongs to one ``Category``, which a command line maps to its exit status.
public enum OrderSagaClientError: Error, Sendable, CustomStringConvertible {
    /// The service answered with a 4xx or 5xx problem.
    case refused(APIProblem)
    /// The service could not be reached at `url` (connection refused, name not resolved, timeout, dropped).
    case unreachable(url: String, reason: String)
    /// The request cannot be sent as given (a malformed base URL, a body that is not JSON).
    case invalidRequest(String)
    /// The service answered with something this client cannot read.
    case unexpectedAnswer(String)

    /// The classes of failure a caller tells apart.
    public enum Category: Sendable {
        /// The API refused, or answered what it should not have.
        case refused
        /// The caller asked for something malformed.
        case usage
        /// The service was not reached.
        case unreachable
    }

    /// The class of this failure.
    public var category: Category {
        switch self {
        case .refused, .unexpectedAnswer: .refused
        case .invalidRequest: .usage
        case .unreachable: .unreachable
        }
    }

    /// Whether trying again later may succeed: the service was not reached, or it asked to be asked again.
    public var isTransient: Bool {
        switch self {
        case .unreachable: true
        case .refused(let problem): [429, 502, 503, 504].contains(problem.status)
        case .invalidRequest, .unexpectedAnswer: false
        }
    }

    public var description: String {
        switch self {
        case .refused(let problem):
            "\(problem.status) \(problem.title)" + (problem.detail.map { ": \($0)" } ?? "")
        case .unreachable(let url, let reason): "cannot reach \(url): \(reason)"
        case .invalidRequest(let reason): reason
        case .unexpectedAnswer(let reason): "unexpected answer: \(reason)"
        }
    }
}

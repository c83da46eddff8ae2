import Foundation
import Hummingbird

/// An RFC 9457 problem: every 4xx and 5xx answer of the service is one, as `application/problem+json`.
struct Problem: Error, Sendable {
    /// A URI naming the kind of problem.
    let type: String
    /// A short, stable summary of the kind.
    let title: String
    /// The HTTP status.
    let status: HTTPResponse.Status
    /// What went wrong this time.
    let detail: String
    /// For 422: each invalid field.
    var errors: [FieldError]?
    /// Extra members (such as readiness checks).
    var extensions: [String: String] = [:]
    /// Extra headers (`Retry-After`, `Allow`, `WWW-Authenticate`).
    var headers: HTTPFields = [:]

    /// Where problem types are documented.
    static let typeBase = "https://order-saga.dev/problems/"

    /// A problem of a plain HTTP status, typed like every other (`…/problems/method-not-allowed`).
    static func status(_ status: HTTPResponse.Status, _ detail: String) -> Problem {
        let slug = status.reasonPhrase.lowercased().split(whereSeparator: { !$0.isLetter }).joined(separator: "-")
        return Problem(type: typeBase + slug, title: status.reasonPhrase, status: status, detail: detail)
    }

    /// 422: the request is well-formed but these fields are wrong.
    static func validation(_ errors: [FieldError]) -> Problem {
        let detail =
            errors.count == 1
            ? "\(errors[0].field) \(errors[0].message)"
            : "\(errors.count) fields are invalid: \(errors.map(\.field).joined(separator: ", "))"
        return Problem(
            type: typeBase + "validation-failed", title: "Invalid request", status: .unprocessableContent,
            detail: detail, errors: errors)
    }

    /// 400: the body is not JSON the service can read.
    static func malformed(_ detail: String) -> Problem {
        Problem(type: typeBase + "malformed-body", title: "Malformed request body", status: .badRequest, detail: detail)
    }

    /// 409: the action does not fit the saga's state.
    static func conflict(_ detail: String) -> Problem {
        Problem(
            type: typeBase + "state-conflict", title: "Not allowed in the current state", status: .conflict,
            detail: detail)
    }

    /// 404: no such resource (or not visible to this key).
    static func notFound(_ what: String) -> Problem {
        Problem(type: typeBase + "not-found", title: "Not found", status: .notFound, detail: "\(what) does not exist")
    }

    /// 503: a store cannot be reached; try again after `retryAfter` seconds.
    static func unavailable(_ detail: String, retryAfter: Int = 5) -> Problem {
        var problem = Problem(
            type: typeBase + "temporarily-unavailable", title: "Temporarily unavailable", status: .serviceUnavailable,
            detail: detail)
        problem.headers[.retryAfter] = String(retryAfter)
        return problem
    }

    /// 429: the caller holds too many of something at once; try again after `retryAfter` seconds.
    static func tooMany(_ detail: String, retryAfter: Int = 5) -> Problem {
        var problem = Problem(
            type: typeBase + "too-many-requests", title: "Too many requests", status: .tooManyRequests, detail: detail)
        problem.headers[.retryAfter] = String(retryAfter)
        return problem
    }

    /// The problem as a response.
    func response() -> Response {
        var body: [String: JSONValueForProblem] = [
            "type": .string(type), "title": .string(title), "status": .int(Int(status.code)), "detail": .string(detail),
        ]
        if let errors { body["errors"] = .errors(errors) }
        for (key, value) in extensions where body[key] == nil { body[key] = .string(value) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = ((try? encoder.encode(body)) ?? Data("{\"status\":\(status.code)}".utf8)) + Data("\n".utf8)
        var headers = self.headers
        headers[.contentType] = "application/problem+json"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// The members of a problem body.
enum JSONValueForProblem: Encodable {
    case string(String)
    case int(Int)
    case errors([FieldError])

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .errors(let value): try container.encode(value)
        }
    }
}

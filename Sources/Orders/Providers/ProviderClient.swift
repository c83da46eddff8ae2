import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SagaKit
import Tracing

/// What a provider answered: the status and the body.
struct ProviderResponse: Sendable {
    let status: Int
    let body: Data

    /// The body decoded as JSON into `type`; a body that does not decode is the provider's fault (retryable).
    func decode<T: Decodable>(_ type: T.Type, provider: String) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: body)
        } catch {
            throw StepError.retryable(
                kind: "ProviderProtocolError",
                message: "\(provider) answered \(status) with an unexpected body: \(error)")
        }
    }

    /// The provider's `error` code from a JSON error body, if any.
    var errorCode: String? {
        struct ErrorBody: Decodable { let error: String? }
        return (try? JSONDecoder().decode(ErrorBody.self, from: body))?.error
    }
}

/// JSON over HTTP to the providers, every mutating call with its idempotency key.
///
/// Transport failures (refused or dropped connections, timeouts) and 5xx answers are retryable
/// ``StepError``s; each provider client maps its 4xx answers. Cancellation (the step's timeout) passes through.
struct ProviderClient: Sendable {
    let http: HTTPClient
    /// The most a single HTTP exchange may take; the step's own timeout usually ends it sooner.
    let requestTimeout: Duration

    /// POSTs `body` as JSON to `url` with `Idempotency-Key: key`, and the current trace context (`traceparent`).
    func post(_ url: String, body: some Encodable, idempotencyKey: String, provider: String) async throws
        -> ProviderResponse
    {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "Idempotency-Key", value: idempotencyKey)
        if let context = ServiceContext.current {
            InstrumentationSystem.instrument.inject(context, into: &request.headers, using: HTTPHeadersInjector())
        }
        request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(body)))
        let response: ProviderResponse
        do {
            let answer = try await http.execute(request, timeout: TimeAmount(requestTimeout))
            let bytes = try await answer.body.collect(upTo: 1 << 20)
            response = ProviderResponse(status: Int(answer.status.code), body: Data(bytes.readableBytesView))
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            if Task.isCancelled { throw CancellationError() }
            throw StepError.retryable(
                kind: "ProviderUnavailable", message: "\(provider) could not be reached: \(error)")
        }
        if response.status >= 500 {
            throw StepError.retryable(
                kind: "ProviderError", message: "\(provider) answered \(response.status) \(response.errorCode ?? "")")
        }
        return response
    }

    /// The error for a 4xx answer no client expected.
    static func unexpected(_ response: ProviderResponse, provider: String) -> StepError {
        StepError.nonRetryable(
            kind: "ProviderRejectedRequest",
            message: "\(provider) answered \(response.status) \(response.errorCode ?? "")")
    }
}

/// Writes trace headers into an AsyncHTTPClient request's headers.
struct HTTPHeadersInjector: Injector {
    func inject(_ value: String, forKey key: String, into headers: inout HTTPHeaders) {
        headers.replaceOrAdd(name: key, value: value)
    }
}

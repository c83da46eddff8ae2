import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A client of a running order-saga service's REST API.
///
/// ```swift
/// try await OrderSagaClient.withClient(baseURL: "http://127.0.0.1:8080", key: key) { client in
///     let page = try await client.sagas(SagaListQuery(status: "STUCK"))
///     print(page.value.items.count)
/// }
/// ```
///
/// Every failure is an ``OrderSagaClientError``: a problem the API answered, an unreachable service, or a request
/// that cannot be sent.
public struct OrderSagaClient: Sendable {
    /// The service's root, such as `http://127.0.0.1:8080`, without a trailing slash.
    public let baseURL: String
    /// The bearer key or token; `nil` sends none.
    public let key: String?
    /// How long a request (not an event stream) may take until its answer's head arrives.
    public var requestTimeout: Duration = .seconds(30)
    let http: HTTPClient

    /// Creates a client over `http`, which the caller shuts down.
    public init(baseURL: String, key: String?, http: HTTPClient) throws(OrderSagaClientError) {
        var base = baseURL.trimmingCharacters(in: .whitespaces)
        while base.hasSuffix("/") { base.removeLast() }
        guard let url = URL(string: base), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
            let host = url.host, !host.isEmpty
        else {
            throw .invalidRequest("not an http(s) URL of the service: '\(baseURL)'")
        }
        self.baseURL = base
        self.key = key.flatMap { $0.isEmpty ? nil : $0 }
        self.http = http
    }

    /// Runs `body` with a client on an HTTP client of its own, which is shut down afterwards, also on errors.
    public static func withClient<T: Sendable>(
        baseURL: String, key: String?, _ body: (OrderSagaClient) async throws -> T
    ) async throws -> T {
        var configuration = HTTPClient.Configuration()
        // Event streams send a comment every 15 s: a minute of silence means the connection is gone.
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(60))
        // A refused connection is reported at once; the event stream's own backoff does the retrying.
        configuration.connectionPool.retryConnectionEstablishment = false
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            let client = try OrderSagaClient(baseURL: baseURL, key: key, http: http)
            let result = try await body(client)
            try await http.shutdown()
            return result
        } catch {
            try? await http.shutdown()
            throw error
        }
    }

    // MARK: Sending

    /// Sends a request and decodes a 2xx answer as `Value`; anything else throws.
    func send<Value: Decodable & Sendable>(
        _ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: Data? = nil,
        headers: [(String, String)] = [], as type: Value.Type = Value.self
    ) async throws(OrderSagaClientError) -> APIAnswer<Value> {
        let response = try await execute(method, path, query: query, body: body, headers: headers)
        let data = try await collect(response, from: path)
        let status = Int(response.status.code)
        guard (200..<300).contains(status) else {
            throw .refused(APIProblem.from(status: status, reason: response.status.reasonPhrase, body: data))
        }
        do {
            return APIAnswer(value: try JSONDecoder().decode(Value.self, from: data), body: data, status: status)
        } catch {
            throw .unexpectedAnswer(
                "\(method) \(path) answered \(status) with a body this client cannot read: \(error)")
        }
    }

    /// Sends `value` as JSON.
    func send<Value: Decodable & Sendable>(
        _ method: HTTPMethod, _ path: String, json value: some Encodable, headers: [(String, String)] = [],
        as type: Value.Type = Value.self
    ) async throws(OrderSagaClientError) -> APIAnswer<Value> {
        let body: Data
        do { body = try JSONEncoder().encode(value) } catch {
            throw .invalidRequest("cannot encode the body: \(error)")
        }
        return try await send(method, path, body: body, headers: headers)
    }

    /// Sends a request and returns the answer's head, its body still to be read.
    func execute(
        _ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: Data? = nil,
        headers: [(String, String)] = [], timeout: Duration? = nil
    ) async throws(OrderSagaClientError) -> HTTPClientResponse {
        let url = try self.url(path, query: query)
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "Accept", value: "application/json, application/problem+json")
        if let key { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        for (name, value) in headers { request.headers.replaceOrAdd(name: name, value: value) }
        let limit = timeout ?? requestTimeout
        do {
            return try await http.execute(request, timeout: .nanoseconds(Int64(limit.nanoseconds)))
        } catch {
            throw Self.classify(error, url: baseURL)
        }
    }

    /// The whole body of `response` (at most 16 MiB).
    func collect(_ response: HTTPClientResponse, from path: String) async throws(OrderSagaClientError) -> Data {
        do {
            let buffer = try await response.body.collect(upTo: 16 << 20)
            return Data(buffer.readableBytesView)
        } catch let error as NIOTooManyBytesError {
            throw .unexpectedAnswer("the answer to \(path) is larger than this client reads: \(error)")
        } catch {
            throw Self.classify(error, url: baseURL)
        }
    }

    /// The full URL of `path` with `query`, percent-encoded.
    func url(_ path: String, query: [(String, String)] = []) throws(OrderSagaClientError) -> String {
        guard var components = URLComponents(string: baseURL) else {
            throw .invalidRequest("not a URL: \(baseURL)")
        }
        components.percentEncodedPath += path
        if !query.isEmpty {
            components.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) }
            // `+` means a space to many servers: send it encoded.
            components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        }
        guard let url = components.string else { throw .invalidRequest("cannot make a URL of \(baseURL)\(path)") }
        return url
    }

    /// A path segment, percent-encoded (an order id or SKU typed by a person may hold anything).
    static func segment(_ text: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/?#")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    /// A transport failure as a client error: a malformed URL is the caller's; everything else is unreachable.
    static func classify(_ error: any Error, url: String) -> OrderSagaClientError {
        if let error = error as? OrderSagaClientError { return error }
        if let error = error as? HTTPClientError {
            if [.invalidURL, .emptyHost, .emptyScheme].contains(error) {
                return .invalidRequest("cannot send to \(url): \(error)")
            }
            if [.deadlineExceeded, .readTimeout, .connectTimeout].contains(error) {
                return .unreachable(url: url, reason: "timed out (\(error))")
            }
        }
        if let error = error as? IOError {
            // "Connection refused", not the channel's internal wording around it.
            return .unreachable(url: url, reason: String(cString: strerror(error.errnoCode)))
        }
        return .unreachable(url: url, reason: "\(error)")
    }
}

extension Duration {
    /// The duration in whole nanoseconds.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

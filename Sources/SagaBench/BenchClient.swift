import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// The service's HTTP API, as the benchmark uses it (a plain HTTP client: the benchmark imports nothing of the service).
struct BenchClient: Sendable {
    let baseURL: String
    let key: String
    let http: HTTPClient

    /// Sends a request; returns the status and body.
    func send(_ method: HTTPMethod, _ path: String, json: String? = nil, headers: [(String, String)] = []) async throws
        -> (status: Int, body: Data)
    {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(key)")
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json))
        }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await http.execute(request, timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 64 << 20)
        return (Int(response.status.code), Data(body.readableBytesView))
    }

    /// The body as a JSON object.
    static func object(_ data: Data) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
    }

    /// The Prometheus text of `/metrics`.
    func metrics() async throws -> PrometheusSnapshot {
        let (_, body) = try await send(.GET, "/metrics")
        return PrometheusSnapshot(text: String(decoding: body, as: UTF8.self))
    }
}

/// The samples of a Prometheus text exposition: sums by metric name (labels summed over), and each series.
struct PrometheusSnapshot: Sendable {
    private var sums: [String: Double] = [:]
    private var series: [String: [[String: String]: Double]] = [:]

    init(text: String) {
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            guard parts.count >= 2, let value = Double(parts[parts.count - 1]) else { continue }
            let name = String(parts[0].prefix { $0 != "{" })
            sums[name, default: 0] += value
            series[name, default: [:]][Self.labels(of: parts[0]), default: 0] += value
        }
    }

    /// The sum of every series of `name` (0 when absent).
    subscript(name: String) -> Double { sums[name] ?? 0 }

    /// Every series of `name`, by its labels.
    func series(_ name: String) -> [[String: String]: Double] { series[name] ?? [:] }

    /// The labels of a series such as `name{a="x",b="y"}` (label values without commas or escaped quotes).
    static func labels(of series: Substring) -> [String: String] {
        guard let open = series.firstIndex(of: "{"), let close = series.lastIndex(of: "}") else { return [:] }
        var labels: [String: String] = [:]
        for pair in series[series.index(after: open)..<close].split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { continue }
            labels[String(parts[0])] = String(parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")))
        }
        return labels
    }
}

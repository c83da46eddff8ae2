import Foundation
import Hummingbird
import Mongo
import Prometheus
import SagaKit

/// `/health/live`, `/health/ready`, `/metrics` and `/openapi.yaml`: no key needed.
struct OperationsRoutes: Sendable {
    /// A dependency readiness checks: a name and a probe that throws when it is not usable.
    struct Check: Sendable {
        let name: String
        let probe: @Sendable () async throws -> Void
    }

    let checks: [Check]
    let metrics: PrometheusCollectorRegistry
    /// Brings gauges up to date just before `/metrics` is read.
    let beforeScrape: @Sendable () -> Void
    let isAcceptingWork: @Sendable () -> Bool
    /// How long one readiness probe may take.
    let probeTimeout: Duration

    func addRoutes(to router: Router<APIRequestContext>, table: inout RouteTable) {
        router.get("/health/live") { _, _ in try JSONResponse.make(["status": "live"]) }
        table.record(.get, "/health/live")
        router.get("/health/ready") { _, _ in try await ready() }
        table.record(.get, "/health/ready")
        router.get("/metrics") { _, _ in
            beforeScrape()
            var buffer: [UInt8] = []
            metrics.emit(into: &buffer)
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: buffer)))
        }
        table.record(.get, "/metrics")
        router.get("/openapi.yaml") { _, _ in
            guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml"),
                let data = try? Data(contentsOf: url)
            else { throw Problem.status(.notFound, "the OpenAPI document is not bundled") }
            var headers = HTTPFields()
            headers[.contentType] = "application/yaml"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
        }
        table.record(.get, "/openapi.yaml")
    }

    /// 200 when every dependency answers; otherwise a 503 problem naming what failed.
    ///
    /// A probe that takes longer than ``probeTimeout`` fails at once: a blocked probe (a driver call waiting for a
    /// server) keeps running in the background until it ends by itself, but the answer does not wait for it.
    func ready() async throws -> Response {
        var failures: [String: String] = [:]
        await withTaskGroup(of: (String, String?).self) { group in
            for check in checks {
                group.addTask {
                    let race = await DeadlineTimer.system.race(probeTimeout) { await Result(catching: check.probe) }
                    return switch race {
                    case .finished(.success): (check.name, nil)
                    case .finished(.failure(let error)): (check.name, "\(error)")
                    case .timedOut: (check.name, "no answer within \(probeTimeout)")
                    case .cancelled: (check.name, "\(CancellationError())")
                    }
                }
            }
            for await (name, failure) in group {
                if let failure { failures[name] = failure }
            }
        }
        if !isAcceptingWork() { failures["engine"] = "shutting down" }
        guard failures.isEmpty else {
            var problem = Problem.unavailable(
                "not ready: " + failures.keys.sorted().map { "\($0) (\(failures[$0]!))" }.joined(separator: "; "))
            problem.extensions = failures.mapValues { "unavailable: \($0)" }
            throw problem
        }
        return try JSONResponse.make(["status": "ready"])
    }
}

extension Result where Failure == any Error {
    /// The result of an async throwing body.
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}

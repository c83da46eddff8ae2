import Foundation
import Testing

@testable import OrderService

/// Every `/v1` route checks one action: a role holding only that action passes the check (whatever the route then
/// answers), a role holding every other action is refused with 403.
@Suite("Role table over HTTP")
struct RoleTableTests {
    /// A route, the action it checks, and a request that gets past validation far enough to reach the check.
    struct Route: Sendable {
        let method: String
        let path: String
        let action: APIAction
        let body: String?
        /// An event stream: checked for refusal only (an allowed one never ends by itself).
        var streams = false
    }

    static func routes(orderId: String) -> [Route] {
        [
            Route(
                method: "POST", path: "/v1/products", action: .productsWrite,
                body: #"{"sku":"R-1","name":"R","price":{"amount":"1.00","currency":"USD"},"stock":1}"#),
            Route(method: "GET", path: "/v1/products", action: .productsRead, body: nil),
            Route(method: "GET", path: "/v1/products/SKU-1", action: .productsRead, body: nil),
            Route(method: "POST", path: "/v1/orders", action: .ordersPlace, body: ServiceHarness.orderBody()),
            Route(method: "GET", path: "/v1/orders/\(orderId)", action: .ordersRead, body: nil),
            Route(method: "GET", path: "/v1/orders/\(orderId)/saga", action: .ordersRead, body: nil),
            Route(method: "GET", path: "/v1/orders/\(orderId)/events", action: .ordersRead, body: nil, streams: true),
            Route(method: "POST", path: "/v1/orders/\(orderId)/approve", action: .sagasApprove, body: nil),
            Route(method: "POST", path: "/v1/orders/\(orderId)/reject", action: .sagasApprove, body: nil),
            Route(method: "POST", path: "/v1/orders/\(orderId)/cancel", action: .sagasCancel, body: nil),
            Route(method: "POST", path: "/v1/orders/\(orderId)/refund", action: .sagasRefund, body: nil),
            Route(method: "POST", path: "/v1/orders/\(orderId)/retry", action: .sagasRetry, body: nil),
            Route(method: "GET", path: "/v1/sagas", action: .sagasRead, body: nil),
            Route(method: "GET", path: "/v1/sagas/stats", action: .sagasRead, body: nil),
            Route(method: "GET", path: "/v1/sagas/changes", action: .sagasRead, body: nil, streams: true),
            Route(method: "POST", path: "/v1/sagas/retry", action: .sagasRetry, body: #"{"status":"STUCK"}"#),
            Route(method: "GET", path: "/v1/audit", action: .auditRead, body: nil),
        ]
    }

    @Test("each route passes a role of its one action and refuses a role of all the others")
    func everyRoute() async throws {
        let only = APIAction.allCases.map {
            "only-\($0.rawValue.replacingOccurrences(of: ".", with: "-"))=\($0.rawValue)"
        }
        let allBut = APIAction.allCases.map { excluded in
            "but-\(excluded.rawValue.replacingOccurrences(of: ".", with: "-"))="
                + APIAction.allCases.filter { $0 != excluded }.map(\.rawValue).joined(separator: ",")
        }
        let keys = APIAction.allCases.flatMap { action -> [String] in
            let name = action.rawValue.replacingOccurrences(of: ".", with: "-")
            return ["only-\(name)-key:only-\(name)", "but-\(name)-key:but-\(name)"]
        }
        let environment = [
            "AUTH_ROLES": (only + allBut).joined(separator: ";"),
            "API_KEYS": (["\(ServiceHarness.operatorKey):operator"] + keys).joined(separator: ","),
        ]
        try await ServiceHarness.run(environment: environment) { service in
            try await service.putProduct("SKU-1")
            let orderId = try await service.placeOrder()
            try await service.waitForTerminal(orderId)
            let routes = Self.routes(orderId: orderId)
            #expect(Set(routes.map(\.action)) == Set(APIAction.allCases), "every action guards some route")
            for route in routes {
                let name = route.action.rawValue.replacingOccurrences(of: ".", with: "-")
                let refused = try await service.request(
                    .init(rawValue: route.method), route.path, key: "but-\(name)-key", body: route.body)
                #expect(refused.status == 403, "\(route.method) \(route.path) without \(route.action.rawValue)")
                guard !route.streams else { continue }
                let allowed = try await service.request(
                    .init(rawValue: route.method), route.path, key: "only-\(name)-key", body: route.body)
                #expect(allowed.status != 403, "\(route.method) \(route.path) with only \(route.action.rawValue)")
                #expect(allowed.status < 500, "\(route.method) \(route.path): \(allowed.text)")
            }
            let me = try await service.request(.GET, "/v1/me", key: "only-audit-read-key")
            #expect(me.status == 200, "every caller may ask who it is")
        }
    }
}

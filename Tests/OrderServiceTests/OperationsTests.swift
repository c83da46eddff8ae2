import Foundation
import Mongo
import Testing

/// Lists, stats, metrics, health and the OpenAPI document.
@Suite("Operations over HTTP")
struct OperationsTests {
    @Test("sagas list by status, newest first, across pages with no duplicates or gaps; stats count them")
    func listAndStats() async throws {
        try await ServiceHarness.run { service in
            try await service.putProduct("SKU-1", stock: 100)
            var placed: [String] = []
            for index in 0..<7 {
                placed.append(try await service.placeOrder(customer: "c-\(index)"))
            }
            try await service.putProduct("BIG", price: "5000.00", stock: 5)
            let waiting = try await service.placeOrder(items: [("BIG", 1)])
            for orderId in placed { try await service.waitForTerminal(orderId) }
            try await service.waitForStatus(waiting, in: ["AWAITING_APPROVAL"])

            var seen: [String] = []
            var cursor: String?
            var pages = 0
            repeat {
                let query =
                    "/v1/sagas?status=COMPLETED&limit=3"
                    + (cursor.map { "&cursor=\($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)" }
                        ?? "")
                let page = try await service.request(.GET, query).json
                let items = page["items"] as? [[String: Any]] ?? []
                #expect(items.allSatisfy { $0["status"] as? String == "COMPLETED" })
                seen += items.compactMap { $0["orderId"] as? String }
                cursor = page["nextCursor"] as? String
                pages += 1
                #expect(page.keys.contains("nextCursor"), "nextCursor is present, null on the last page")
            } while cursor != nil && pages < 10
            #expect(pages == 3)
            #expect(seen == placed.reversed(), "newest started first")

            let awaiting = try await service.request(.GET, "/v1/sagas?status=AWAITING_APPROVAL").json
            #expect((awaiting["items"] as? [[String: Any]])?.compactMap { $0["orderId"] as? String } == [waiting])

            let stats = try await service.request(.GET, "/v1/sagas/stats").json
            let counts = stats["counts"] as? [String: Int] ?? [:]
            #expect(counts["COMPLETED"] == 7)
            #expect(counts["AWAITING_APPROVAL"] == 1)
            #expect(counts["REFUNDED"] == 0)
            #expect(stats["total"] as? Int == 8)

            for bad in [
                "/v1/sagas?status=DONE", "/v1/sagas?limit=0", "/v1/sagas?limit=501", "/v1/sagas?cursor=nonsense",
            ] {
                #expect(try await service.request(.GET, bad).status == 422, "\(bad)")
            }
        }
    }

    @Test("a graceful shutdown lets the charges in flight finish, records them, and releases every lease")
    func gracefulShutdownDrains() async throws {
        // The sandbox answers tok_slow's first charge after 1.2 s; a timeout above that lets the attempt succeed.
        try await ServiceHarness.run(
            environment: ["STEP_TIMEOUT_ChargePayment": "10s"],
            afterStop: { service in
                let sagas = try await service.historyDatabase.collection("sagas").find([:]).toArray()
                #expect(sagas.count == 3)
                for saga in sagas {
                    #expect(saga["leaseOwner"]?.stringValue == nil, "the lease is released for another instance")
                    let types = (saga["events"]?.arrayValue ?? []).compactMap {
                        $0.documentValue?["type"]?.stringValue
                    }
                    let started = types.filter { $0 == "StepStarted" }.count
                    let ended = types.filter { $0 == "StepCompleted" || $0 == "StepFailed" }.count
                    #expect(started == ended, "every attempt in flight finished and was recorded: \(types)")
                }
            }
        ) { service in
            try await service.putProduct("SKU-1")
            var orderIds: [String] = []
            for _ in 0..<3 { orderIds.append(try await service.placeOrder(token: "tok_slow")) }
            for orderId in orderIds {
                try await service.waitForSaga(orderId, wanted: "ChargePayment started") { saga in
                    let steps = saga["steps"] as? [[String: Any]] ?? []
                    return steps.contains { $0["name"] as? String == "ChargePayment" && $0["startedAt"] is String }
                }
            }
        }
    }

    @Test("readiness, liveness, metrics and the OpenAPI document need no key")
    func operations() async throws {
        try await ServiceHarness.run { service in
            try await service.putProduct("SKU-1")
            let orderId = try await service.placeOrder(token: "tok_flaky")
            try await service.waitForTerminal(orderId)
            #expect(try await service.request(.POST, "/v1/orders/\(orderId)/refund").status == 202)
            try await service.waitForStatus(orderId, in: ["REFUNDED"])
            #expect(try await service.request(.DELETE, "/v1/orders/\(orderId)/saga").status == 405)
            #expect(try await service.request(.GET, "/health/live", key: nil).status == 200)
            #expect(try await service.request(.GET, "/health/ready", key: nil).status == 200)
            let metrics = try await service.request(.GET, "/metrics", key: nil)
            #expect(metrics.status == 200)
            for name in [
                "http_requests_total", "saga_finished_total", "saga_step_attempts_total", "saga_step_retries_total",
                "saga_step_duration_seconds",
            ] {
                #expect(metrics.text.contains(name), "metrics lack \(name)")
            }
            #expect(metrics.text.contains(#"route="/v1/orders""#))
            #expect(
                metrics.text.contains(#"saga_finished_total{definition="order-fulfillment",status="REFUNDED"}"#),
                "outcomes carry the API's status names")
            #expect(
                metrics.text.contains(#"method="DELETE",route="/v1/orders/{orderId}/saga",status="405""#),
                "a 405 is counted under the route whose path matched")
            #expect(
                metrics.text.contains(#"saga_stuck_total{definition="order-fulfillment"}"#),
                "every outcome is exported from the start, stuck included")
            #expect(metrics.text.contains("# TYPE mongo_operations_total counter"))
            #expect(metrics.text.contains("# TYPE mongo_operations_in_flight gauge"))
            #expect(
                metrics.text.contains(#"mongo_commands_total{database="\#(service.database.name)",command="insert"}"#),
                "the business database's commands are counted by name")
            #expect(
                metrics.text.contains(
                    #"mongo_commands_total{database="\#(service.historyDatabase.name)",command="update"}"#),
                "and the history database's")
            #expect(
                metrics.text.contains(
                    #"mongo_write_operations_total{database="\#(service.database.name)",command="insert"}"#),
                "and the write operations they carried")
            #expect(!metrics.text.contains(#"command="ping""#), "the readiness pings are the driver's own, left out")
            let document = try await service.request(.GET, "/openapi.yaml", key: nil)
            #expect(document.status == 200)
            #expect(document.text.contains("openapi: 3."))
            #expect(document.text.contains("/v1/orders/{orderId}/events"))
        }
    }
}

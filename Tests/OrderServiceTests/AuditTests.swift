import Foundation
import Testing

@testable import OrderService

/// The audit trail: every command and catalog change with who made it, in which role and why, newest first.
@Suite("Audit trail over HTTP")
struct AuditTests {
    @Test("commands from the sagas' histories and catalog changes from the audit collection, paged newest first")
    func trail() async throws {
        try await ServiceHarness.run { service in
            let putProduct = try await service.request(
                .POST, "/v1/products",
                body:
                    #"{"sku":"BIG","name":"Big","price":{"amount":"600.00","currency":"USD"},"stock":5,"reason":"spring catalog"}"#
            )
            #expect(putProduct.status == 200)
            let approved = try await service.placeOrder(items: [("BIG", 2)])
            let cancelled = try await service.placeOrder(items: [("BIG", 2)], key: ServiceHarness.customerKey)
            for orderId in [approved, cancelled] { try await service.waitForStatus(orderId, in: ["AWAITING_APPROVAL"]) }
            #expect(
                try await service.request(.POST, "/v1/orders/\(approved)/approve", body: #"{"reason":"known buyer"}"#)
                    .status == 202)
            #expect(
                try await service.request(.POST, "/v1/orders/\(cancelled)/cancel", key: ServiceHarness.customerKey)
                    .status == 202)
            for orderId in [approved, cancelled] { try await service.waitForTerminal(orderId) }

            let all = try await service.request(.GET, "/v1/audit").json["items"] as? [[String: Any]] ?? []
            #expect(all.compactMap { $0["action"] as? String } == ["cancel", "approve", "product.put"], "\(all)")
            #expect(all[0]["orderId"] as? String == cancelled)
            #expect(all[0]["role"] as? String == "customer")
            #expect(all[0]["actor"] as? String == APIKeys.fingerprint(of: ServiceHarness.customerKey))
            #expect(all[1]["reason"] as? String == "known buyer")
            #expect(all[2]["sku"] as? String == "BIG" && all[2]["reason"] as? String == "spring catalog")
            #expect(
                ((all[2]["product"] as? [String: Any])?["price"] as? [String: Any])?["amount"] as? String == "600.00")

            var paged: [String] = []
            var cursor: String?
            for _ in 0..<5 {
                let path = "/v1/audit?limit=1" + (cursor.map { "&cursor=\($0)" } ?? "")
                let page = try await service.request(.GET, path).json
                paged += (page["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                cursor = page["nextCursor"] as? String
                if cursor == nil { break }
            }
            #expect(paged == all.compactMap { $0["id"] as? String }, "pages of one give the same trail")

            let one = try await service.request(.GET, "/v1/audit?orderId=\(approved)").json["items"] as? [[String: Any]]
            #expect(one?.compactMap { $0["action"] as? String } == ["approve"])
            #expect(try await service.request(.GET, "/v1/audit?cursor=nope").status == 422)
            #expect(try await service.request(.GET, "/v1/audit", key: ServiceHarness.viewerKey).status == 403)
            let text = try await service.request(.GET, "/v1/audit").text
            for key in [ServiceHarness.operatorKey, ServiceHarness.customerKey] { #expect(!text.contains(key)) }
        }
    }
}

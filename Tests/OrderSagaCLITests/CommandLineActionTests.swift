import Foundation
import Testing

/// approve, reject, cancel and refund through `order-saga`, and a command the saga's state refuses.
@Suite("Command line: actions on orders", .timeLimit(.minutes(3)))
struct CommandLineActionTests {
    /// Places an order of `quantity` units of BIG (600.00 each) and returns its id.
    static func placeBig(_ service: LiveService, quantity: Int) async throws -> String {
        let placed = try await service.cli(
            "orders", "place", "--customer", "c-9", "--item", "BIG:\(quantity)", "--token", "tok_visa", "--name", "Ada",
            "--line1", "1 Main St", "--city", "Springfield", "--postal-code", "12345", "--country", "US",
            "--output", "json")
        #expect(placed.status == 0, "\(placed)")
        return try #require(try placed.json["orderId"] as? String)
    }

    @Test("approve lets an order above the threshold go on; refund of the completed order ends it REFUNDED")
    func approveThenRefund() async throws {
        try await LiveService.run { service in
            _ = try await service.cli(
                "products", "put", "--sku", "BIG", "--name", "Big", "--price", "600.00", "--stock", "10")
            let order = try await Self.placeBig(service, quantity: 2)
            try await service.waitForStatus(order, in: ["AWAITING_APPROVAL"])

            let approve = try await service.cli("approve", order, "--output", "json")
            #expect(approve.status == 0, "\(approve)")
            #expect(try approve.json["action"] as? String == "approve")
            #expect(try approve.json["orderId"] as? String == order)

            let watch = try await service.cli("sagas", "watch", order)
            #expect(watch.status == 0, "\(watch)")
            #expect(watch.lines.contains { $0.contains("SignalReceived") }, "\(watch)")
            #expect(watch.lines.last?.contains("SagaCompleted") == true, "\(watch)")

            let again = try await service.cli("approve", order)
            #expect(again.status == 1, "\(again)")
            #expect(again.stderr.contains("(409)"), "\(again)")
            #expect(again.stderr.contains("cannot approve"), "\(again)")
            #expect(again.stdout.isEmpty)

            let refund = try await service.cli("refund", order)
            #expect(refund.status == 0, "\(refund)")
            #expect(refund.lines.contains { $0.hasPrefix("action") && $0.hasSuffix("refund") }, "\(refund)")
            try await service.waitForStatus(order, in: ["REFUNDED"])
            let stock = try await service.cli("products", "get", "BIG", "--output", "json")
            #expect(try stock.json["stock"] as? Int == 10)
        }
    }

    @Test("cancel stops an order waiting for approval; reject compensates another; rejecting the cancelled one is 409")
    func cancelAndReject() async throws {
        try await LiveService.run { service in
            _ = try await service.cli(
                "products", "put", "--sku", "BIG", "--name", "Big", "--price", "600.00", "--stock", "10")
            let cancelled = try await Self.placeBig(service, quantity: 2)
            let rejected = try await Self.placeBig(service, quantity: 3)
            try await service.waitForStatus(cancelled, in: ["AWAITING_APPROVAL"])
            try await service.waitForStatus(rejected, in: ["AWAITING_APPROVAL"])

            let cancel = try await service.cli("cancel", cancelled, "--reason", "customer changed their mind")
            #expect(cancel.status == 0, "\(cancel)")
            let reject = try await service.cli("reject", rejected, "--output", "jsonl")
            #expect(reject.status == 0, "\(reject)")
            #expect(try reject.jsonLines.first?["action"] as? String == "reject")

            let end = try await service.waitForStatus(cancelled, in: ["CANCELLED"])
            #expect(end.history.contains { $0.type == "CancelRequested" })
            try await service.waitForStatus(rejected, in: ["COMPENSATED"])

            let late = try await service.cli("reject", cancelled)
            #expect(late.status == 1, "\(late)")
            #expect(late.stderr.contains("(409)"), "\(late)")
        }
    }
}

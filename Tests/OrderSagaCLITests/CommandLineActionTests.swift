import Foundation
import MongoTesting
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

    @Test("approve lets an order above the threshold go on; retry of it is 409; refund ends it REFUNDED")
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

            let retry = try await service.cli("retry", order)
            #expect(retry.status == 1, "\(retry)")
            #expect(retry.stderr.contains("(409)"), "\(retry)")

            let refund = try await service.cli("refund", order, "--reason", "returned by the customer")
            #expect(refund.status == 0, "\(refund)")
            #expect(refund.lines.contains { $0.hasPrefix("action") && $0.hasSuffix("refund") }, "\(refund)")
            try await service.waitForStatus(order, in: ["REFUNDED"])
            let history = try await service.cli("sagas", "watch", order, "--output", "jsonl")
            #expect(history.status == 0, "\(history)")
            let types = try history.jsonLines.compactMap { $0["type"] as? String }
            #expect(types.contains("SagaCompleted") && types.last == "SagaReverted", "\(types)")
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
            #expect(
                end.history.contains {
                    $0.type == "CancelRequested"
                        && $0.data?["payload"]?["reason"] == .string("customer changed their mind")
                }, "\(end.history.map(\.type))")
            try await service.waitForStatus(rejected, in: ["COMPENSATED"])

            let late = try await service.cli("reject", cancelled)
            #expect(late.status == 1, "\(late)")
            #expect(late.stderr.contains("(409)"), "\(late)")
        }
    }

    @Test("a viewer key reads but every action exits 1 with the 403")
    func viewer() async throws {
        try await LiveService.run { service in
            _ = try await service.cli(
                "products", "put", "--sku", "BIG", "--name", "Big", "--price", "600.00", "--stock", "10")
            let order = try await Self.placeBig(service, quantity: 2)
            try await service.waitForStatus(order, in: ["AWAITING_APPROVAL"])

            let list = try await service.cli("sagas", "list", "--output", "jsonl", key: LiveService.viewerKey)
            #expect(list.status == 0, "\(list)")
            #expect(try list.jsonLines.first?["orderId"] as? String == order)
            for action in ["approve", "reject", "cancel", "refund", "retry"] {
                let refused = try await service.cli(action, order, key: LiveService.viewerKey)
                #expect(refused.status == 1, "\(action): \(refused)")
                #expect(refused.stderr.contains("(403)"), "\(action): \(refused)")
            }
            let put = try await service.cli(
                "products", "put", "--sku", "X", "--name", "X", "--price", "1.00", "--stock", "1",
                key: LiveService.viewerKey)
            #expect(put.status == 1, "\(put)")
            #expect(put.stderr.contains("(403)"), "\(put)")
        }
    }

    @Test("retry of a STUCK saga, one by one and in a batch, each with its reason in the history")
    func retryStuck() async throws {
        let closed = try ClosedPort()
        defer { withExtendedLifetime(closed) {} }
        let environment = [
            "NOTIFY_URL": "http://127.0.0.1:\(closed.port)", "STEP_MAX_ATTEMPTS_SendConfirmation": "1",
            "STEP_TIMEOUT_SendConfirmation": "500ms",
        ]
        try await LiveService.run(environment: environment) { service in
            _ = try await service.cli(
                "products", "put", "--sku", "BIG", "--name", "Big", "--price", "6.00", "--stock", "10")
            let order = try await Self.placeBig(service, quantity: 1)
            try await service.waitForStatus(order, in: ["STUCK"])

            let stuck = try await service.cli("sagas", "list", "--status", "STUCK", "--output", "json")
            #expect((try stuck.json["items"] as? [[String: Any]])?.compactMap { $0["orderId"] as? String } == [order])

            let retry = try await service.cli("retry", order, "--reason", "mailer is back", "--output", "json")
            #expect(retry.status == 0, "\(retry)")
            #expect(try retry.json["action"] as? String == "retry")
            let again = try await service.waitUntil(order) { saga in
                saga.status == "STUCK" && saga.history.contains { $0.type == "RetryRequested" }
            }
            #expect(
                again.history.contains {
                    $0.type == "RetryRequested" && $0.data?["payload"]?["reason"] == .string("mailer is back")
                }, "\(again.history.map(\.type))")
            let retries = again.history.filter { $0.type == "RetryRequested" }.count

            let batch = try await service.cli(
                "sagas", "retry", "--status", "STUCK", "--reason", "batch", "--limit", "10")
            #expect(batch.status == 0, "\(batch)")
            #expect(batch.lines.contains { $0.hasPrefix(order) && $0.hasSuffix("retried") }, "\(batch)")
            #expect(batch.lines.last == "1 retried, 0 failed", "\(batch)")
            try await service.waitUntil(order) { saga in
                saga.status == "STUCK" && saga.history.filter { $0.type == "RetryRequested" }.count == retries + 1
            }
        }
    }
}

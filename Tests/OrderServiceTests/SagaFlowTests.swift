import Foundation
import ProviderSandbox
import Testing

/// Each path through the order saga, over HTTP, with the sandbox's ledgers and the stock checked at the end.
@Suite("Order saga flows over HTTP")
struct SagaFlowTests {
    /// Successful charges minus refunds, in cents, from a charges ledger.
    static func netCharged(_ entries: [[String: String]]) -> Int {
        entries.filter { $0["status"] == "succeeded" }.reduce(0) { total, entry in
            let cents = Int((Decimal(string: entry["amount"] ?? "0")! * 100).description) ?? 0
            return total + (entry["kind"] == "refund" ? -cents : cents)
        }
    }

    @Test("tok_visa: COMPLETED with one charge, one shipment, one confirmation, and the units gone from stock")
    func happyPath() async throws {
        try await ServiceHarness.run { service in
            try await service.putProduct("SKU-1", price: "12.50", stock: 10)
            let orderId = try await service.placeOrder(items: [("SKU-1", 2)])
            let saga = try await service.waitForTerminal(orderId)
            #expect(saga["status"] as? String == "COMPLETED")
            let charges = try await service.ledger("charges", orderId: orderId)
            #expect(charges.count == 1)
            #expect(charges.first?["amount"] == "25.00")
            #expect(charges.first?["status"] == "succeeded")
            #expect(try await service.ledger("shipments", orderId: orderId).map { $0["status"] } == ["created"])
            #expect(
                try await service.ledger("messages", orderId: orderId).map { $0["template"] } == ["order-confirmation"])
            #expect(try await service.stock("SKU-1") == (8, 0))
            let types = try await service.eventTypes(orderId)
            #expect(types.first == "SagaStarted")
            #expect(types.last == "SagaCompleted")
            #expect(types.contains("StepSkipped"), "AwaitApproval is skipped below the threshold")
            let completed = try await service.saga(orderId)["history"] as? [[String: Any]] ?? []
            let steps = completed.filter { $0["type"] as? String == "StepCompleted" }.compactMap {
                $0["step"] as? String
            }
            #expect(steps == ["ReserveInventory", "ChargePayment", "CreateShipment", "SendConfirmation"])
            let seqs = completed.compactMap { $0["seq"] as? Int }
            #expect(seqs == Array(1...seqs.count), "history seq runs 1, 2, 3, … without gaps")

            for event in completed {
                #expect(
                    Set(event.keys).isSuperset(of: ["seq", "type", "step", "attempt", "at", "data"]),
                    "every event carries every documented field, null where it has no value: \(event)")
            }
            let stepViews = try await service.saga(orderId)["steps"] as? [[String: Any]] ?? []
            #expect(!stepViews.isEmpty)
            #expect(
                stepViews.allSatisfy { $0["lastError"] is NSNull || $0["lastError"] is [String: Any] },
                "every step says what its last error was, null when there was none")
            #expect(stepViews.contains { $0["lastError"] is NSNull })

            let order = try await service.request(.GET, "/v1/orders/\(orderId)").json
            let summary = order["saga"] as? [String: Any]
            #expect(summary?["status"] as? String == "COMPLETED")
            #expect(summary?["step"] is NSNull, "a finished saga's summary has step: null")
            #expect((order["total"] as? [String: Any])?["amount"] as? String == "25.00")
        }
    }

    @Test("tok_chargeDeclined: COMPENSATED without retries, nothing charged, stock back")
    func declined() async throws {
        try await ServiceHarness.run { service in
            try await service.putProduct("SKU-1", stock: 5)
            let orderId = try await service.placeOrder(token: "tok_chargeDeclined")
            let saga = try await service.waitForTerminal(orderId)
            #expect(saga["status"] as? String == "COMPENSATED")
            let charges = try await service.ledger("charges", orderId: orderId)
            #expect(Self.netCharged(charges) == 0)
            #expect(charges.map { $0["status"] } == ["failed"], "declined once: a final error is not retried")
            #expect(try await service.ledger("shipments", orderId: orderId).isEmpty)
            #expect(try await service.stock("SKU-1") == (5, 0))
            let types = try await service.eventTypes(orderId)
            #expect(types.contains("CompensationCompleted"))
            #expect(types.last == "SagaCompensated")
        }
    }

    @Test("tok_flaky: two retryable failures are retried, then COMPLETED with exactly one charge")
    func flaky() async throws {
        // A generous charge timeout, so a loaded machine cannot add a timeout to the two failures counted here.
        try await ServiceHarness.run(environment: ["STEP_TIMEOUT_ChargePayment": "10s"]) { service in
            try await service.putProduct("SKU-1")
            let orderId = try await service.placeOrder(token: "tok_flaky")
            #expect(try await service.waitForTerminal(orderId)["status"] as? String == "COMPLETED")
            let history = try await service.saga(orderId)["history"] as? [[String: Any]] ?? []
            let failures = history.filter {
                $0["type"] as? String == "StepFailed" && $0["step"] as? String == "ChargePayment"
            }
            #expect(failures.count == 2)
            #expect(failures.allSatisfy { ($0["data"] as? [String: Any])?["retryable"] as? Bool == true })
            #expect(
                failures.allSatisfy {
                    (($0["data"] as? [String: Any])?["error"] as? [String: Any])?["kind"] as? String == "ProviderError"
                })
            let charges = try await service.ledger("charges", orderId: orderId)
            #expect(charges.filter { $0["status"] == "succeeded" }.count == 1)
        }
    }

    @Test("tok_slow: the first attempt times out, the retry gets the same charge back: one charge, COMPLETED")
    func slow() async throws {
        try await ServiceHarness.run { service in
            try await service.putProduct("SKU-1")
            let orderId = try await service.placeOrder(token: "tok_slow")
            #expect(try await service.waitForTerminal(orderId)["status"] as? String == "COMPLETED")
            let history = try await service.saga(orderId)["history"] as? [[String: Any]] ?? []
            let timeout = history.first {
                $0["type"] as? String == "StepFailed" && $0["step"] as? String == "ChargePayment"
            }
            #expect(((timeout?["data"] as? [String: Any])?["error"] as? [String: Any])?["kind"] as? String == "Timeout")
            let charges = try await service.ledger("charges", orderId: orderId)
            #expect(charges.count == 1)
            #expect(Self.netCharged(charges) == 1250)
        }
    }

    @Test("postal code 00000: the carrier refuses; payment refunded, stock released, COMPENSATED")
    func undeliverable() async throws {
        try await ServiceHarness.run { service in
            try await service.putProduct("SKU-1", stock: 3)
            let orderId = try await service.placeOrder(postalCode: "00000")
            #expect(try await service.waitForTerminal(orderId)["status"] as? String == "COMPENSATED")
            let charges = try await service.ledger("charges", orderId: orderId)
            #expect(charges.compactMap { $0["kind"] }.sorted() == ["charge", "refund"])
            #expect(Self.netCharged(charges) == 0)
            #expect(try await service.ledger("shipments", orderId: orderId).isEmpty)
            #expect(try await service.stock("SKU-1") == (3, 0))
            let types = try await service.eventTypes(orderId)
            let compensations = (try await service.saga(orderId)["history"] as? [[String: Any]] ?? [])
                .filter { $0["type"] as? String == "CompensationCompleted" }.compactMap { $0["step"] as? String }
            #expect(compensations == ["RefundPayment", "ReleaseInventory"], "reverse order, completed steps only")
            #expect(types.last == "SagaCompensated")
        }
    }

    @Test("above the threshold the order waits for approval; approve completes it")
    func approve() async throws {
        try await ServiceHarness.run { service in
            try await service.putProduct("BIG", price: "600.00", stock: 5)
            let orderId = try await service.placeOrder(items: [("BIG", 2)])
            try await service.waitForStatus(orderId, in: ["AWAITING_APPROVAL"])
            #expect(try await service.ledger("charges", orderId: orderId).isEmpty, "nothing is charged while waiting")
            #expect(try await service.request(.POST, "/v1/orders/\(orderId)/approve").status == 202)
            let again = try await service.request(.POST, "/v1/orders/\(orderId)/approve")
            #expect(again.status == 409, "the approval is answered already, whether or not the saga has moved on")
            #expect(try await service.request(.POST, "/v1/orders/\(orderId)/reject").status == 409)
            #expect(try await service.waitForTerminal(orderId)["status"] as? String == "COMPLETED")
            #expect(try await service.eventTypes(orderId).filter { $0 == "SignalReceived" }.count == 1)
            #expect(
                try await service.request(.POST, "/v1/orders/\(orderId)/approve").status == 409, "no longer waiting")
            #expect(try await service.stock("BIG") == (3, 0))
        }
    }

    @Test("reject compensates: COMPENSATED, nothing charged, stock back")
    func reject() async throws {
        try await ServiceHarness.run { service in
            try await service.putProduct("BIG", price: "1000.01", stock: 2)
            let orderId = try await service.placeOrder(items: [("BIG", 1)])
            try await service.waitForStatus(orderId, in: ["AWAITING_APPROVAL"])
            #expect(try await service.request(.POST, "/v1/orders/\(orderId)/reject").status == 202)
            #expect(try await service.waitForTerminal(orderId)["status"] as? String == "COMPENSATED")
            #expect(try await service.ledger("charges", orderId: orderId).isEmpty)
            #expect(try await service.stock("BIG") == (2, 0))
        }
    }

    @Test("no answer within APPROVAL_TIMEOUT counts as a rejection")
    func approvalTimeout() async throws {
        try await ServiceHarness.run(environment: ["APPROVAL_TIMEOUT": "1s"]) { service in
            try await service.putProduct("BIG", price: "2000.00", stock: 1)
            let orderId = try await service.placeOrder(items: [("BIG", 1)])
            let saga = try await service.waitForTerminal(orderId, timeout: .seconds(15))
            #expect(saga["status"] as? String == "COMPENSATED")
            #expect(try await service.eventTypes(orderId).contains("SignalWaitTimedOut"))
            #expect(try await service.stock("BIG") == (1, 0))
        }
    }

    @Test("a cancel while awaiting approval stops the order: CANCELLED, stock back, nothing charged")
    func cancelWhileWaiting() async throws {
        try await ServiceHarness.run { service in
            try await service.putProduct("BIG", price: "1500.00", stock: 4)
            let orderId = try await service.placeOrder(items: [("BIG", 1)], key: ServiceHarness.boundKey)
            try await service.waitForStatus(orderId, in: ["AWAITING_APPROVAL"])
            let cancelled = try await service.request(
                .POST, "/v1/orders/\(orderId)/cancel", key: ServiceHarness.boundKey,
                body: #"{"reason":"changed my mind"}"#)
            #expect(cancelled.status == 202)
            #expect(try await service.waitForTerminal(orderId)["status"] as? String == "CANCELLED")
            #expect(try await service.ledger("charges", orderId: orderId).isEmpty)
            #expect(try await service.stock("BIG") == (4, 0))
            #expect(
                try await service.request(.POST, "/v1/orders/\(orderId)/cancel").status == 202,
                "cancelling again answers the same")
        }
    }

    @Test("cancels repeated while the cancellation compensates all answer 202, and it is recorded once")
    func repeatedCancelsRaceCompensation() async throws {
        // Every provider call takes 1 s, so the refund that the cancel needs keeps the saga COMPENSATING for a second;
        // `tok_slow`'s charge is answered 2 s later still, so the cancel finds it in flight.
        try await ServiceHarness.run(
            environment: ["STEP_TIMEOUT_ChargePayment": "8s"],
            sandbox: SandboxConfiguration(
                port: 0, latency: LatencyRange(parsing: "1000")!, slowDelay: .milliseconds(2000))
        ) { service in
            try await service.putProduct("SKU-1")
            let orderId = try await service.placeOrder(token: "tok_slow")
            try await service.waitForSaga(orderId, wanted: "the charge in flight") {
                $0["step"] as? String == "ChargePayment"
            }
            #expect(try await service.request(.POST, "/v1/orders/\(orderId)/cancel").status == 202)
            try await service.waitForStatus(orderId, in: ["COMPENSATING"])
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<4 {
                    group.addTask { try await service.request(.POST, "/v1/orders/\(orderId)/cancel").status }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses == [202, 202, 202, 202], "repeats while it compensates answer as the first time")
            #expect(try await service.waitForTerminal(orderId)["status"] as? String == "CANCELLED")
            #expect(try await service.request(.POST, "/v1/orders/\(orderId)/cancel").status == 202)
            let recorded = try await service.eventTypes(orderId).filter { $0 == "CancelRequested" }
            #expect(recorded.count == 1, "one cancel is recorded, however many were sent")
        }
    }

    @Test("refund of a completed order, asked twice, refunds once: REFUNDED, shipment cancelled, goods back in stock")
    func refundTwice() async throws {
        try await ServiceHarness.run { service in
            try await service.putProduct("SKU-1", price: "10.00", stock: 6)
            let orderId = try await service.placeOrder(items: [("SKU-1", 3)])
            #expect(try await service.waitForTerminal(orderId)["status"] as? String == "COMPLETED")
            #expect(
                try await service.request(.POST, "/v1/orders/\(orderId)/cancel").status == 409,
                "a completed order cannot be cancelled")
            #expect(try await service.stock("SKU-1") == (3, 0))

            let first = try await service.request(.POST, "/v1/orders/\(orderId)/refund")
            #expect(first.status == 202)
            let second = try await service.request(.POST, "/v1/orders/\(orderId)/refund")
            #expect(second.status == 202)
            try await service.waitForStatus(orderId, in: ["REFUNDED"])
            let third = try await service.request(.POST, "/v1/orders/\(orderId)/refund")
            #expect(third.status == 202)
            #expect(try third.string("status") == "REFUNDED")

            let charges = try await service.ledger("charges", orderId: orderId)
            #expect(charges.filter { $0["kind"] == "refund" }.count == 1)
            #expect(Self.netCharged(charges) == 0)
            #expect(try await service.ledger("shipments", orderId: orderId).map { $0["status"] } == ["cancelled"])
            #expect(try await service.stock("SKU-1") == (6, 0))
        }
    }

    @Test("five concurrent refunds of a completed order all answer 202 and refund once")
    func concurrentRefunds() async throws {
        try await ServiceHarness.run { service in
            try await service.putProduct("SKU-1", price: "8.00", stock: 4)
            let orderId = try await service.placeOrder(items: [("SKU-1", 2)])
            #expect(try await service.waitForTerminal(orderId)["status"] as? String == "COMPLETED")
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<5 {
                    group.addTask { try await service.request(.POST, "/v1/orders/\(orderId)/refund").status }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses == [202, 202, 202, 202, 202])
            try await service.waitForStatus(orderId, in: ["REFUNDED"])
            #expect(
                try await service.eventTypes(orderId).filter { $0 == "RevertRequested" }.count == 1,
                "five requests, one refund request in the history")
            let charges = try await service.ledger("charges", orderId: orderId)
            #expect(charges.filter { $0["kind"] == "refund" }.count == 1)
            #expect(try await service.stock("SKU-1") == (4, 0))
        }
    }

    @Test("a refund asked while the first one runs answers 202 and refunds nothing more")
    func refundWhileRefunding() async throws {
        let slowProviders = SandboxConfiguration(
            port: 0, latency: LatencyRange(minimumMilliseconds: 250, maximumMilliseconds: 250)!)
        try await ServiceHarness.run(sandbox: slowProviders) { service in
            try await service.putProduct("SKU-1", price: "3.00", stock: 2)
            let orderId = try await service.placeOrder()
            #expect(try await service.waitForTerminal(orderId)["status"] as? String == "COMPLETED")
            #expect(try await service.request(.POST, "/v1/orders/\(orderId)/refund").status == 202)
            try await service.waitForStatus(orderId, in: ["COMPENSATING"])
            let again = try await service.request(.POST, "/v1/orders/\(orderId)/refund")
            #expect(again.status == 202)
            #expect(try again.string("status") == "COMPENSATING")
            try await service.waitForStatus(orderId, in: ["REFUNDED"])
            #expect(try await service.ledger("charges", orderId: orderId).filter { $0["kind"] == "refund" }.count == 1)
        }
    }

    @Test("refund of an order that is not completed is a conflict")
    func refundRunning() async throws {
        try await ServiceHarness.run { service in
            try await service.putProduct("BIG", price: "5000.00", stock: 1)
            let orderId = try await service.placeOrder(items: [("BIG", 1)])
            try await service.waitForStatus(orderId, in: ["AWAITING_APPROVAL"])
            let refused = try await service.request(.POST, "/v1/orders/\(orderId)/refund")
            #expect(refused.status == 409)
            #expect(refused.contentType == "application/problem+json")
        }
    }
}

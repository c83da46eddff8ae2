import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

@testable import OrderService

/// What the console and the command line use: the viewer role, commands with a reason and who gave them, retries of
/// stuck sagas one by one and in a batch, lists enriched with the order, and the live stream of saga changes.
@Suite("Operator API over HTTP")
struct OperatorAPITests {
    /// A service whose confirmations cannot be sent (the notifier is unreachable) and are tried once: every order
    /// ends STUCK at SendConfirmation, its goods shipped.
    static let confirmationsFail = ["NOTIFY_URL": "http://127.0.0.1:9", "STEP_MAX_ATTEMPTS_SendConfirmation": "1"]

    @Test("a viewer reads everything an operator reads and every change it asks for is 403")
    func viewer() async throws {
        try await ServiceHarness.run { service in
            try await service.putProduct("SKU-1")
            let orderId = try await service.placeOrder()
            try await service.waitForTerminal(orderId)
            let key = ServiceHarness.viewerKey
            for path in [
                "/v1/sagas", "/v1/sagas/stats", "/v1/sagas?customerId=c-42", "/v1/orders/\(orderId)",
                "/v1/orders/\(orderId)/saga", "/v1/products", "/v1/products/SKU-1", "/v1/me",
            ] {
                let answer = try await service.request(.GET, path, key: key)
                #expect(answer.status == 200, "\(path): \(answer.text)")
            }
            let writes: [(String, String?)] = [
                ("/v1/products", #"{"sku":"Y","name":"Y","price":{"amount":"1.00","currency":"USD"},"stock":1}"#),
                ("/v1/orders", ServiceHarness.orderBody()),
                ("/v1/orders/\(orderId)/approve", nil), ("/v1/orders/\(orderId)/reject", nil),
                ("/v1/orders/\(orderId)/cancel", nil), ("/v1/orders/\(orderId)/refund", nil),
                ("/v1/orders/\(orderId)/retry", nil), ("/v1/sagas/retry", #"{"status":"STUCK"}"#),
            ]
            for (path, body) in writes {
                let answer = try await service.request(.POST, path, key: key, body: body)
                #expect(answer.status == 403, "\(path): \(answer.text)")
                #expect(answer.contentType == "application/problem+json")
            }
            #expect(try await service.count("orders") == 1, "nothing a viewer asked for was stored")
            #expect(try await service.saga(orderId)["status"] as? String == "COMPLETED", "nor refunded")

            let me = try await service.request(.GET, "/v1/me", key: key).json
            #expect(me["role"] as? String == "viewer")
            #expect(me["actions"] as? [String] == ["orders.read", "products.read", "sagas.read"])
            #expect(me["subject"] as? String == APIKeys.fingerprint(of: key))
            let operatorMe = try await service.request(.GET, "/v1/me").json
            #expect((operatorMe["actions"] as? [String])?.contains("sagas.approve") == true)
        }
    }

    @Test("an approval's reason and who gave it are recorded in the history; the key itself never is")
    func reasonAndActor() async throws {
        try await ServiceHarness.run { service in
            try await service.putProduct("BIG", price: "600.00", stock: 5)
            let orderId = try await service.placeOrder(items: [("BIG", 2)])
            try await service.waitForStatus(orderId, in: ["AWAITING_APPROVAL"])
            let tooLong = String(repeating: "x", count: 257)
            for body in [#"{"reason":"\#(tooLong)"}"#, #"{"reason":"ok","by":"me"}"#, #"{"reason":7}"#] {
                let refused = try await service.request(.POST, "/v1/orders/\(orderId)/approve", body: body)
                #expect(refused.status == 422, "\(refused.text)")
            }
            #expect(try await service.saga(orderId)["status"] as? String == "AWAITING_APPROVAL", "nothing recorded")
            let approved = try await service.request(
                .POST, "/v1/orders/\(orderId)/approve", body: #"{"reason":"checked with the customer"}"#)
            #expect(approved.status == 202)
            let saga = try await service.waitForTerminal(orderId)
            let history = saga["history"] as? [[String: Any]] ?? []
            let signal = try #require(history.first { $0["type"] as? String == "SignalReceived" })
            let payload = (signal["data"] as? [String: Any])?["payload"] as? [String: Any]
            #expect(payload?["reason"] as? String == "checked with the customer")
            #expect(payload?["actor"] as? String == APIKeys.fingerprint(of: ServiceHarness.operatorKey))
            #expect(payload?["role"] as? String == "operator")
            let stored = try await service.request(.GET, "/v1/orders/\(orderId)/saga").text
            #expect(!stored.contains(ServiceHarness.operatorKey))
        }
    }

    @Test("retry resumes a STUCK saga, one order or every stuck one; anything else is 409 or 422")
    func retryStuck() async throws {
        try await ServiceHarness.run(environment: Self.confirmationsFail) { service in
            try await service.putProduct("SKU-1")
            let first = try await service.placeOrder()
            let second = try await service.placeOrder(customer: "c-7")
            for orderId in [first, second] { try await service.waitForStatus(orderId, in: ["STUCK"]) }
            let stuck = try await service.request(.GET, "/v1/sagas?status=STUCK").json["items"] as? [[String: Any]]
            #expect(stuck?.count == 2)
            #expect(stuck?.first?["step"] as? String == "SendConfirmation")
            #expect(stuck?.first?["attempt"] as? Int == 1, "the step's one attempt")
            let order = try await service.request(.GET, "/v1/orders/\(first)").json
            #expect((order["payment"] as? [String: Any])?["status"] as? String == "charged")
            #expect((order["shipment"] as? [String: Any])?["status"] as? String == "created")

            let retried = try await service.request(
                .POST, "/v1/orders/\(first)/retry", body: #"{"reason":"the mail relay is back"}"#)
            #expect(retried.status == 202, "\(retried.text)")
            #expect(try retried.string("action") == "retry")
            try await service.waitForRetryRecorded(first, count: 1)

            let wrongStatus = try await service.request(.POST, "/v1/sagas/retry", body: #"{"status":"RUNNING"}"#)
            #expect(wrongStatus.status == 422)
            #expect(try wrongStatus.problemFields == ["status"])
            try await service.waitForStatus(first, in: ["STUCK"])
            let batch = try await service.request(.POST, "/v1/sagas/retry", body: #"{"status":"STUCK","limit":10}"#)
            #expect(batch.status == 200, "\(batch.text)")
            #expect(Set(try batch.json["retried"] as? [String] ?? []) == [first, second])
            try await service.waitForRetryRecorded(first, count: 2)
            try await service.waitForRetryRecorded(second, count: 1)
            let history = try await service.saga(second)["history"] as? [[String: Any]] ?? []
            let retry = try #require(history.first { $0["type"] as? String == "RetryRequested" })
            #expect((retry["data"] as? [String: Any])?["applied"] as? Bool == true)
        }
        try await ServiceHarness.run { service in
            try await service.putProduct("SKU-1")
            let orderId = try await service.placeOrder()
            try await service.waitForTerminal(orderId)
            #expect(try await service.request(.POST, "/v1/orders/\(orderId)/retry").status == 409)
        }
    }

    @Test("the list shows each saga's customer, total and attempt, and pages one customer's orders")
    func enrichedAndByCustomer() async throws {
        try await ServiceHarness.run { service in
            try await service.putProduct("SKU-1", price: "12.50")
            var mine: [String] = []
            for _ in 0..<3 { mine.append(try await service.placeOrder(items: [("SKU-1", 2)], customer: "c-42")) }
            let other = try await service.placeOrder(customer: "c-7")
            for orderId in mine + [other] { try await service.waitForTerminal(orderId) }

            let all = try await service.request(.GET, "/v1/sagas?limit=10").json["items"] as? [[String: Any]] ?? []
            let line = try #require(all.first { $0["orderId"] as? String == mine[0] })
            #expect(line["customerId"] as? String == "c-42")
            #expect((line["total"] as? [String: Any])?["amount"] as? String == "25.00")
            #expect(line["attempt"] is NSNull, "a finished saga has no step running")

            let firstPage = try await service.request(.GET, "/v1/sagas?customerId=c-42&limit=2").json
            let firstItems = firstPage["items"] as? [[String: Any]] ?? []
            #expect(firstItems.compactMap { $0["orderId"] as? String } == [mine[2], mine[1]], "newest first")
            let cursor = try #require(firstPage["nextCursor"] as? String)
            let secondPage = try await service.request(.GET, "/v1/sagas?customerId=c-42&limit=2&cursor=\(cursor)").json
            #expect((secondPage["items"] as? [[String: Any]])?.compactMap { $0["orderId"] as? String } == [mine[0]])
            #expect(secondPage["nextCursor"] is NSNull)

            let mixed = try await service.request(.GET, "/v1/sagas?customerId=c-42&status=COMPLETED")
            #expect(mixed.status == 422)
            #expect(try mixed.problemFields == ["status"])
        }
    }

    @Test("products list in SKU order, a page at a time")
    func productPages() async throws {
        try await ServiceHarness.run { service in
            for sku in ["B-2", "A-1", "C-3"] { try await service.putProduct(sku, stock: 7) }
            let first = try await service.request(.GET, "/v1/products?limit=2").json
            let items = first["items"] as? [[String: Any]] ?? []
            #expect(items.compactMap { $0["sku"] as? String } == ["A-1", "B-2"])
            #expect(items.first?["stock"] as? Int == 7 && items.first?["reserved"] as? Int == 0)
            let cursor = try #require(first["nextCursor"] as? String)
            let second = try await service.request(.GET, "/v1/products?limit=2&cursor=\(cursor)").json
            #expect((second["items"] as? [[String: Any]])?.compactMap { $0["sku"] as? String } == ["C-3"])
            #expect(second["nextCursor"] is NSNull)
        }
    }

    @Test(
        "the change stream shows each saga's status as it moves, resumes after its last id, and resets when it cannot")
    func changeStream() async throws {
        try await ServiceHarness.run { service in
            try await service.putProduct("SKU-1")
            let live = Task { try await service.readChanges(until: { $0.contains { $0.status == "COMPLETED" } }) }
            try await Task.sleep(for: .milliseconds(300))
            let orderId = try await service.placeOrder()
            let frames = try await live.value
            let mine = frames.filter { $0.orderId == orderId }
            #expect(mine.last?.status == "COMPLETED", "\(frames)")
            #expect(mine.first?.customerId == "c-42")
            let position = try #require(frames.last(where: { $0.id != nil })?.id)

            let later = try await service.placeOrder(customer: "c-7")
            try await service.waitForTerminal(later)
            let resumed = try await service.readChanges(lastEventId: position) {
                $0.contains { $0.orderId == later && $0.status == "COMPLETED" }
            }
            // A batch's summaries are read after its position, so a resume may show a saga's latest state again, but
            // never an older one.
            #expect(
                resumed.filter { $0.orderId == orderId }.allSatisfy { $0.status == "COMPLETED" },
                "no state older than the position comes again")
            #expect(!resumed.contains { $0.event == "Reset" })

            let reset = try await service.readChanges(lastEventId: "00ff") { !$0.isEmpty }
            #expect(reset.first?.event == "Reset")
            let bad = try await service.request(.GET, "/v1/sagas/changes", headers: [("Last-Event-ID", "not hex")])
            #expect(bad.status == 422)
        }
    }
}

/// One frame of `GET /v1/sagas/changes`.
struct ChangeFrame: Sendable {
    var id: String?
    var event: String?
    var orderId: String?
    var status: String?
    var customerId: String?
}

extension ServiceHarness {
    /// Reads `GET /v1/sagas/changes` until `enough` holds for the frames read so far (fails after `timeout`).
    func readChanges(
        lastEventId: String? = nil, timeout: Duration = .seconds(30),
        until enough: @escaping @Sendable ([ChangeFrame]) -> Bool
    ) async throws -> [ChangeFrame] {
        var request = HTTPClientRequest(url: baseURL + "/v1/sagas/changes")
        request.headers.add(name: "Authorization", value: "Bearer \(ServiceHarness.viewerKey)")
        if let lastEventId { request.headers.add(name: "Last-Event-ID", value: lastEventId) }
        let response = try await http.execute(request, timeout: .seconds(Int64(timeout.components.seconds)))
        #expect(response.status.code == 200)
        var text = ""
        var frames: [ChangeFrame] = []
        for try await chunk in response.body {
            text += String(buffer: chunk)
            while let end = text.range(of: "\n\n") {
                let block = text[..<end.lowerBound]
                text = String(text[end.upperBound...])
                var frame = ChangeFrame()
                for line in block.split(separator: "\n") {
                    if line.hasPrefix("id: ") { frame.id = String(line.dropFirst(4)) }
                    if line.hasPrefix("event: ") { frame.event = String(line.dropFirst(7)) }
                    if line.hasPrefix("data: "),
                        let object = try JSONSerialization.jsonObject(
                            with: Data(line.dropFirst(6).utf8)) as? [String: Any]
                    {
                        frame.orderId = object["orderId"] as? String
                        frame.status = object["status"] as? String
                        frame.customerId = object["customerId"] as? String
                    }
                }
                guard frame.event != nil else { continue }
                frames.append(frame)
                if enough(frames) { return frames }
            }
        }
        throw HarnessError("the change stream ended before it showed what was expected: \(frames)")
    }

    /// Waits until the order's history holds `count` applied `RetryRequested` events.
    func waitForRetryRecorded(_ orderId: String, count: Int, timeout: Duration = .seconds(30)) async throws {
        try await waitForSaga(orderId, timeout: timeout, wanted: "\(count) recorded retries") { saga in
            let history = saga["history"] as? [[String: Any]] ?? []
            return history.filter { $0["type"] as? String == "RetryRequested" }.count >= count
        }
    }
}

/// What a stopping instance does with the event streams it serves.
@Suite("Event streams at shutdown")
struct StreamShutdownTests {
    @Test("a stopping instance ends its open streams, so its shutdown does not wait on them")
    func streamsEndAtShutdown() async throws {
        let reader = try await ServiceHarness.run { service in
            try await service.putProduct("BIG", price: "600.00", stock: 5)
            let orderId = try await service.placeOrder(items: [("BIG", 2)])
            try await service.waitForStatus(orderId, in: ["AWAITING_APPROVAL"])
            let url = service.baseURL
            let (streaming, started) = AsyncStream.makeStream(of: Void.self)
            let reader = Task {
                var request = HTTPClientRequest(url: url + "/v1/orders/\(orderId)/events")
                request.headers.add(name: "Authorization", value: "Bearer \(ServiceHarness.operatorKey)")
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(120))
                var text = ""
                for try await chunk in response.body {
                    text += String(buffer: chunk)
                    if text.contains("event: SignalWaitStarted") { started.yield() }
                }
                started.finish()
                return text
            }
            for await _ in streaming { break }
            return reader
        }
        let ended = try await withThrowingTaskGroup(of: String?.self) { group in
            group.addTask { try await reader.value }
            group.addTask {
                try await Task.sleep(for: .seconds(20))
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first
        }
        let text = try #require(ended, "the stream of a waiting saga was still open 20 s after the service stopped")
        #expect(text.contains("event: SignalWaitStarted"), "it had streamed the history up to the wait")
    }
}

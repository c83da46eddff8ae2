import AsyncHTTPClient
import Foundation
import NIOCore
import SagaKit
import Testing

@testable import OrderService

/// The live view: Server-Sent Events of a saga's history.
@Suite("Event stream over HTTP")
struct EventStreamTests {
    /// One SSE frame.
    struct Frame: Equatable {
        var id: String?
        var event: String?
        var data: String?
    }

    /// Reads a whole event stream (it ends at the terminal event) and splits it into frames.
    static func readStream(_ service: ServiceHarness, orderId: String, lastEventId: Int? = nil) async throws -> (
        status: Int, contentType: String?, frames: [Frame]
    ) {
        var request = HTTPClientRequest(url: service.baseURL + "/v1/orders/\(orderId)/events")
        request.headers.add(name: "Authorization", value: "Bearer \(ServiceHarness.operatorKey)")
        if let lastEventId { request.headers.add(name: "Last-Event-ID", value: String(lastEventId)) }
        let response = try await service.http.execute(request, timeout: .seconds(30))
        var text = ""
        for try await chunk in response.body { text += String(buffer: chunk) }
        let frames = text.components(separatedBy: "\n\n").compactMap { block -> Frame? in
            var frame = Frame()
            for line in block.split(separator: "\n") {
                if line.hasPrefix("id: ") { frame.id = String(line.dropFirst(4)) }
                if line.hasPrefix("event: ") { frame.event = String(line.dropFirst(7)) }
                if line.hasPrefix("data: ") { frame.data = String(line.dropFirst(6)) }
            }
            return frame.id == nil ? nil : frame
        }
        return (Int(response.status.code), response.headers.first(name: "content-type"), frames)
    }

    @Test("delivers every history event in order, live, and ends at the terminal event")
    func streamsLive() async throws {
        try await ServiceHarness.run { service in
            try await service.putProduct("BIG", price: "1500.00", stock: 2)
            let orderId = try await service.placeOrder(items: [("BIG", 1)])
            // Open the stream while the saga waits, then let it finish: events arrive as they are recorded.
            try await service.waitForStatus(orderId, in: ["AWAITING_APPROVAL"])
            async let stream = Self.readStream(service, orderId: orderId)
            try await Task.sleep(for: .milliseconds(200))
            #expect(try await service.request(.POST, "/v1/orders/\(orderId)/approve").status == 202)
            let (status, contentType, frames) = try await stream

            #expect(status == 200)
            #expect(contentType == "text/event-stream")
            let history = try await service.saga(orderId)["history"] as? [[String: Any]] ?? []
            #expect(frames.map(\.id) == history.compactMap { ($0["seq"] as? Int).map(String.init) })
            #expect(frames.map(\.event) == history.compactMap { $0["type"] as? String })
            #expect(frames.last?.event == "SagaCompleted")
            let lastData =
                try JSONSerialization.jsonObject(with: Data((frames.last?.data ?? "").utf8)) as? [String: Any]
            #expect(lastData?["type"] as? String == "SagaCompleted")
            #expect(lastData?["seq"] as? Int == history.count)
        }
    }

    @Test("resumes after Last-Event-ID without repeating events")
    func resumes() async throws {
        try await ServiceHarness.run { service in
            try await service.putProduct("SKU-1")
            let orderId = try await service.placeOrder()
            try await service.waitForTerminal(orderId)
            let all = try await Self.readStream(service, orderId: orderId).frames
            #expect(all.count > 6)
            let resumed = try await Self.readStream(service, orderId: orderId, lastEventId: 4).frames
            #expect(resumed.map(\.id) == all.dropFirst(4).map(\.id))
            #expect(resumed.first?.id == "5")
            let bad = try await service.request(.GET, "/v1/orders/\(orderId)/events", headers: [("Last-Event-ID", "x")])
            #expect(bad.status == 422)
        }
    }

    @Test("a stream of an order this process placed reads the history once: its saga is known to exist")
    func oneHistoryReadPerStream() async throws {
        // No due-saga polls during the test: the history's finds are the stream's own.
        try await ServiceHarness.run(environment: ["POLL_INTERVAL": "3600s"]) { service in
            try await service.putProduct("BIG", price: "600.00", stock: 5)
            let orderId = try await service.placeOrder(items: [("BIG", 2)])
            try await service.waitForStatus(orderId, in: ["AWAITING_APPROVAL"])
            let before = try await Self.settledHistoryFinds(service)

            var request = HTTPClientRequest(url: service.baseURL + "/v1/orders/\(orderId)/events")
            request.headers.add(name: "Authorization", value: "Bearer \(ServiceHarness.operatorKey)")
            let stream = try await service.http.execute(request, timeout: .seconds(30))
            #expect(stream.status.code == 200)
            var body = stream.body.makeAsyncIterator()
            #expect(try await body.next() != nil, "the frames so far")
            #expect(try await Self.historyFinds(service) - before == 1)

            #expect(try await service.request(.POST, "/v1/orders/\(orderId)/approve").status == 202)
            while try await body.next() != nil {}
        }
    }

    /// The history's `find` count once the service's start-up reads (the engine's first due-saga poll among them,
    /// late on a loaded machine) are behind it: two scrapes half a second apart agree, within 20 s.
    static func settledHistoryFinds(_ service: ServiceHarness) async throws -> Int {
        var last = try await historyFinds(service)
        for _ in 0..<40 {
            try await Task.sleep(for: .milliseconds(500))
            let now = try await historyFinds(service)
            if now == last { return now }
            last = now
        }
        throw HarnessError("the service's history reads did not settle: \(last) finds")
    }

    /// How many `find` commands the service sent to its history database so far.
    static func historyFinds(_ service: ServiceHarness) async throws -> Int {
        let metrics = try await service.request(.GET, "/metrics", key: nil).text
        let name = #"mongo_commands_total{database="\#(service.historyDatabase.name)",command="find"} "#
        guard let line = metrics.split(separator: "\n").first(where: { $0.hasPrefix(name) }) else { return 0 }
        return Int(Double(line.dropFirst(name.count)) ?? 0)
    }
}

/// Streams per key are bounded: one careless client cannot tie up the service.
@Suite("Event stream quota")
struct EventStreamQuotaTests {
    @Test("a key holding STREAMS_PER_KEY open streams gets 429 with Retry-After; closing one lets the next in")
    func quotaPerKey() async throws {
        try await ServiceHarness.run(environment: ["STREAMS_PER_KEY": "2"]) { service in
            try await service.putProduct("BIG", price: "600.00", stock: 5)
            let orderId = try await service.placeOrder(items: [("BIG", 2)])
            try await service.waitForStatus(orderId, in: ["AWAITING_APPROVAL"])
            var request = HTTPClientRequest(url: service.baseURL + "/v1/orders/\(orderId)/events")
            request.headers.add(name: "Authorization", value: "Bearer \(ServiceHarness.operatorKey)")
            let first = try await service.http.execute(request, timeout: .seconds(30))
            let second = try await service.http.execute(request, timeout: .seconds(30))
            #expect(first.status.code == 200 && second.status.code == 200)
            let third = try await service.http.execute(request, timeout: .seconds(30))
            #expect(third.status.code == 429)
            #expect(third.headers.first(name: "retry-after") != nil)
            #expect(third.headers.first(name: "content-type") == "application/problem+json")
            #expect(try await service.request(.POST, "/v1/orders/\(orderId)/approve").status == 202)
            for response in [first, second] {
                for try await _ in response.body {}
            }
            let again = try await service.http.execute(request, timeout: .seconds(30))
            #expect(again.status.code == 200, "the finished streams gave their places back")
            for try await _ in again.body {}
        }
    }
}

/// A client that stops reading is dropped once its frames fill a bounded buffer; it does not hold memory.
@Suite("Event stream buffers", .timeLimit(.minutes(1)))
struct EventStreamBufferTests {
    @Test("frames for a stalled client stop at the buffer's bound and the stream ends with StalledClient")
    func stalledClientIsDropped() async throws {
        let (events, feed) = AsyncThrowingStream<HistoryEvent, any Error>.makeStream()
        let (sourceReleased, release) = AsyncStream<Void>.makeStream()
        feed.onTermination = { _ in release.finish() }
        let frames = OrderAPI.frames(from: events, keepAlive: .seconds(3600), buffered: 8, render: OrderAPI.frame(for:))
        let at = SagaTime.truncated(Date())
        feed.yield(HistoryEvent(seq: 1, at: at, kind: .sagaStarted(definition: "d", version: 1, input: .null)))
        for seq in 2...40 {
            feed.yield(HistoryEvent(seq: Int64(seq), at: at, kind: .stepScheduled(step: "S\(seq)", kind: .action)))
        }
        // The client has read nothing yet: the pump fills the buffer, the ninth frame ends the stream, and the pump
        // lets go of its source. Waiting for that, not for a while, keeps the test exact on a slow machine.
        for await _ in sourceReleased {}
        var received = 0
        await #expect(throws: StalledClient.self) {
            for try await _ in frames { received += 1 }
        }
        #expect(received == 8, "exactly the bounded buffer was kept for the stalled client")
    }
}

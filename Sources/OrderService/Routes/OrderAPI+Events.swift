import Foundation
import HTTPTypes
import Hummingbird
import SagaKit
import ServiceLifecycle

extension OrderAPI {
    /// `GET /v1/orders/{orderId}/events`: every history event as Server-Sent Events, as it is recorded.
    ///
    /// Each event is `id: <seq>`, `event: <type>`, `data: <the event as JSON>`. With `Last-Event-ID: n` the
    /// stream replays from seq n+1. A comment line keeps idle connections open. The stream closes after
    /// the terminal event; if the history store fails mid-stream it closes early, and the client resumes
    /// with `Last-Event-ID`.
    @Sendable func streamEvents(_ request: Request, context: APIRequestContext) async throws -> Response {
        let after = try Self.lastEventId(request.headers)
        let order = try await visibleOrder(context, requiring: .ordersRead)
        // Only an order still marked may lack its saga (its placement was cut short): the stream's own first read
        // serves every other.
        if order.sagaStartPending == true, try await history.existingSagaIds([order.sagaId]).isEmpty {
            throw Problem.notFound("the saga of order \(order.id)")
        }
        return try eventStream(context: context) {
            Self.frames(
                from: history.watch(sagaId: order.sagaId, after: after), keepAlive: keepAliveInterval,
                render: Self.frame(for:))
        }
    }

    /// `GET /v1/sagas/changes`: every saga's status changes as Server-Sent Events, for live lists; never ends by
    /// itself.
    ///
    /// Each change is `event: SagaChanged` with a list line as `data`; the last of each batch carries `id: <position>`.
    /// With `Last-Event-ID` the stream resumes after that position; when it no longer can, the first event is
    /// `event: Reset` (the client reloads its list).
    @Sendable func streamChanges(_ request: Request, context: APIRequestContext) async throws -> Response {
        _ = try context.requireAllCustomers(.sagasRead)
        let position = try Self.changesPosition(request.headers)
        return try eventStream(context: context) {
            let changes = summaryFeed.summaryChanges(after: position)
            let lines = AsyncThrowingStream<String, any Error> { continuation in
                let pump = Task {
                    do {
                        for try await batch in changes {
                            continuation.yield(try await changeFrames(batch))
                        }
                        continuation.finish()
                    } catch {
                        continuation.finish(throwing: error)
                    }
                }
                continuation.onTermination = { _ in pump.cancel() }
            }
            return Self.frames(from: lines, keepAlive: keepAliveInterval) { $0 }
        }
    }

    /// The `Last-Event-ID` of `GET /v1/sagas/changes`: a position the feed issued (hexadecimal), or none.
    static func changesPosition(_ headers: HTTPFields) throws(Problem) -> String? {
        guard let text = headers[.lastEventID], !text.isEmpty else { return nil }
        guard text.utf8.count <= 1024, text.allSatisfy(\.isHexDigit) else {
            throw Problem.validation([
                FieldError(field: "Last-Event-ID", message: "must be the id of an event this stream sent")
            ])
        }
        return text
    }

    /// A batch of changes as SSE frames: one `SagaChanged` per saga, the position on the last; or one `Reset`.
    func changeFrames(_ batch: SagaSummaryChanges) async throws -> String {
        switch batch {
        case .reset:
            return "event: Reset\ndata: {}\n\n"
        case .changed(let summaries, let position):
            var frames = ""
            for (index, item) in try await listItems(summaries).enumerated() {
                let json = String(decoding: try JSONResponse.encoder.encode(item), as: UTF8.self)
                if index == summaries.count - 1, let position { frames += "id: \(position)\n" }
                frames += "event: SagaChanged\ndata: \(json)\n\n"
            }
            return frames
        }
    }

    /// An SSE response of the frames `makeFrames` starts, counted against the caller's open streams: beyond them
    /// 429, and nothing is started.
    func eventStream(
        context: APIRequestContext, _ makeFrames: () -> AsyncThrowingStream<String, any Error>
    ) throws -> Response {
        let caller = context.principal?.actor ?? "anonymous"
        guard streams.acquire(caller) else {
            throw Problem.tooMany(
                "this key already has \(streams.limit) event streams open; close one or resume later with Last-Event-ID"
            )
        }
        let frames = makeFrames()
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        headers[.accelBuffering] = "no"
        let logger = context.logger
        let streams = self.streams
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                defer { streams.release(caller) }
                do {
                    for try await frame in frames {
                        try await writer.write(ByteBuffer(string: frame))
                    }
                } catch {
                    logger.info("event stream ended early", metadata: ["error": "\(error)"])
                }
                try await writer.finish(nil)
            })
    }

    /// The `Last-Event-ID` header as a seq (0 when absent); 422 when it is not a non-negative integer.
    static func lastEventId(_ headers: HTTPFields) throws(Problem) -> Int64 {
        guard let text = headers[.lastEventID] else { return 0 }
        guard let value = Int64(text), value >= 0, String(value) == text else {
            throw Problem.validation([
                FieldError(field: "Last-Event-ID", message: "must be the seq of an event, a non-negative integer")
            ])
        }
        return value
    }

    /// SSE frames: one per element of `source`, and a comment after each quiet `keepAlive` interval.
    ///
    /// At most `buffered` frames wait for a slow client: a client that stalls past them is dropped (the stream
    /// fails with ``StalledClient``) rather than held in memory; it resumes with `Last-Event-ID`.
    static func frames<Element: Sendable>(
        from source: AsyncThrowingStream<Element, any Error>, keepAlive: Duration, buffered: Int = 256,
        render: @escaping @Sendable (Element) throws -> String
    ) -> AsyncThrowingStream<String, any Error> {
        AsyncThrowingStream(bufferingPolicy: .bufferingOldest(buffered)) { continuation in
            let send: @Sendable (String) -> Void = { frame in
                if case .dropped = continuation.yield(frame) { continuation.finish(throwing: StalledClient()) }
            }
            let pump = Task {
                do {
                    for try await element in source {
                        send(try render(element))
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            let ticker = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: keepAlive)
                    if Task.isCancelled { break }
                    send(": keep-alive\n\n")
                }
            }
            // A stopping instance ends its streams (the client resumes elsewhere with Last-Event-ID) rather than wait
            // for streams that may not end for hours.
            let shutdown = Task {
                guard (try? await gracefulShutdown()) != nil else { return }
                continuation.finish()
            }
            continuation.onTermination = { _ in
                pump.cancel()
                ticker.cancel()
                shutdown.cancel()
            }
        }
    }

    /// One event as an SSE frame.
    static func frame(for event: HistoryEvent) throws -> String {
        let json = String(decoding: try JSONResponse.encoder.encode(EventView(event)), as: UTF8.self)
        return "id: \(event.seq)\nevent: \(event.type)\ndata: \(json)\n\n"
    }
}

/// A client that read too slowly: more frames waited for it than a stream keeps.
struct StalledClient: Error, CustomStringConvertible {
    var description: String { "the client stopped reading; it may resume with Last-Event-ID" }
}

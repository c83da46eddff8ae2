import Foundation
import HTTPTypes
import Hummingbird
import SagaKit

extension OrderAPI {
    /// `GET /v1/orders/{orderId}/events`: every history event as Server-Sent Events, as it is recorded.
    ///
    /// Each event is `id: <seq>`, `event: <type>`, `data: <the event as JSON>`. With `Last-Event-ID: n` the
    /// stream replays from seq n+1. A comment line keeps idle connections open. The stream closes after
    /// the terminal event; if the history store fails mid-stream it closes early, and the client resumes
    /// with `Last-Event-ID`.
    @Sendable func streamEvents(_ request: Request, context: APIRequestContext) async throws -> Response {
        let after = try Self.lastEventId(request.headers)
        let order = try await visibleOrder(context)
        guard try await history.load(sagaId: order.sagaId) != nil else {
            throw Problem.notFound("the saga of order \(order.id)")
        }
        let caller = context.principal?.keyLabel ?? "anonymous"
        guard streams.acquire(caller) else {
            throw Problem.tooMany(
                "this key already has \(streams.limit) event streams open; close one or resume later with Last-Event-ID"
            )
        }
        let frames = Self.frames(
            events: history.watch(sagaId: order.sagaId, after: after), keepAlive: keepAliveInterval)
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

    /// SSE frames: one per event, and a comment after each quiet `keepAlive` interval.
    ///
    /// At most `buffered` frames wait for a slow client: a client that stalls past them is dropped (the stream
    /// fails with ``StalledClient``) rather than held in memory; it resumes with `Last-Event-ID`.
    static func frames(
        events: AsyncThrowingStream<HistoryEvent, any Error>, keepAlive: Duration, buffered: Int = 256
    ) -> AsyncThrowingStream<String, any Error> {
        AsyncThrowingStream(bufferingPolicy: .bufferingOldest(buffered)) { continuation in
            let send: @Sendable (String) -> Void = { frame in
                if case .dropped = continuation.yield(frame) { continuation.finish(throwing: StalledClient()) }
            }
            let pump = Task {
                do {
                    for try await event in events {
                        send(try frame(for: event))
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
            continuation.onTermination = { _ in
                pump.cancel()
                ticker.cancel()
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

import AsyncHTTPClient
import Foundation
import NIOCore

/// A history event from the event stream: decoded, and its JSON as sent.
public struct WatchedEvent: Sendable {
    public let event: SagaEvent
    /// The event's JSON, one line, exactly as the service sent it.
    public let json: String
}

extension OrderSagaClient {
    /// Follows `GET /v1/orders/{id}/events` until the saga's terminal event, calling `onEvent` for each event.
    ///
    /// A dropped connection is resumed with `Last-Event-ID: <last seq>` after a backoff that `policy` bounds;
    /// no event is delivered twice. Gives up with the last error after `policy.maximumFailures` reconnections
    /// in a row that brought nothing. A refusal (an unknown order, a wrong key), or a service that cannot be
    /// reached at the first connection, ends it at once.
    ///
    /// ```swift
    /// let last = try await client.followEvents(orderId: id) { print($0.event.type) }
    /// ```
    @discardableResult
    public func followEvents(
        orderId: String, after: Int64 = 0, policy: ReconnectPolicy = ReconnectPolicy(),
        onEvent: (WatchedEvent) async throws -> Void
    ) async throws -> SagaEvent? {
        var lastSeq = after
        var lastEvent: SagaEvent?
        var failures = 0
        var connected = false
        while true {
            var progressed = false
            let failure: OrderSagaClientError
            do {
                let terminal = try await streamEvents(orderId: orderId, after: lastSeq, connected: &connected) {
                    watched in
                    guard watched.event.seq > lastSeq else { return }
                    lastSeq = watched.event.seq
                    lastEvent = watched.event
                    progressed = true
                    try await onEvent(watched)
                }
                if terminal { return lastEvent }
                // The service closed the stream early (it does when its store fails), or had nothing after `after`.
                if !progressed, let status = try? await saga(orderId: orderId).value.status,
                    Self.terminalStatuses.contains(status)
                {
                    return lastEvent
                }
                failure = .unexpectedAnswer("the event stream of \(orderId) closed before the saga ended")
            } catch let error as OrderSagaClientError where error.isTransient && connected {
                failure = error
            }
            failures = progressed ? 1 : failures + 1
            if failures > policy.maximumFailures { throw failure }
            try await Task.sleep(for: policy.delay(afterFailures: failures))
        }
    }

    /// Saga statuses after which nothing more happens.
    static let terminalStatuses: Set<String> = ["COMPLETED", "COMPENSATED", "CANCELLED", "REFUNDED"]

    /// Reads one connection of the event stream, from the event after seq `after`, until the service closes it.
    ///
    /// Sets `connected` once the service answered 200. Returns whether the last event before the service closed the
    /// stream was a terminal one. (A refunded saga's history holds `SagaCompleted` before its `SagaReverted`, so
    /// the end is where the service closes the stream, not the first terminal event.)
    func streamEvents(
        orderId: String, after: Int64, connected: inout Bool, onEvent: (WatchedEvent) async throws -> Void
    ) async throws -> Bool {
        let path = "/v1/orders/\(Self.segment(orderId))/events"
        let response = try await execute(
            .GET, path, headers: [("Accept", "text/event-stream")] + (after > 0 ? [("Last-Event-ID", "\(after)")] : []))
        guard response.status.code == 200 else {
            let body = try await collect(response, from: path)
            throw OrderSagaClientError.refused(
                APIProblem.from(status: Int(response.status.code), reason: response.status.reasonPhrase, body: body))
        }
        connected = true
        var parser = ServerSentEventParser()
        var endedOnTerminal = false
        do {
            for try await chunk in response.body {
                for frame in parser.consume(chunk.readableBytesView) {
                    let event: SagaEvent
                    do {
                        event = try JSONDecoder().decode(SagaEvent.self, from: Data(frame.data.utf8))
                    } catch {
                        throw OrderSagaClientError.unexpectedAnswer("an event this client cannot read: \(frame.data)")
                    }
                    do {
                        try await onEvent(WatchedEvent(event: event, json: frame.data))
                    } catch {
                        throw HandlerError(error: error)
                    }
                    endedOnTerminal = event.isTerminal
                }
            }
        } catch let error as HandlerError {
            throw error.error
        } catch let error as OrderSagaClientError {
            throw error
        } catch let error as CancellationError {
            throw error
        } catch {
            throw Self.classify(error, url: baseURL)
        }
        return endedOnTerminal
    }
}

/// An error of the caller's event handler, carried past the stream's transport errors unchanged.
private struct HandlerError: Error {
    let error: any Error
}

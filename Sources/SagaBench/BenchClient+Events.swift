import AsyncHTTPClient
import Foundation
import NIOCore
import SagaKit

extension BenchClient {
    /// How a saga's event stream ended, as the client saw it.
    struct SagaEnd: Sendable {
        /// The last event's type: a terminal one (`SagaCompleted`, …), `SagaStuck`, or none when the stream closed
        /// before either.
        var eventType: String?
        /// When that event arrived here.
        var arrived: ContinuousClock.Instant
        /// The server's timestamps of the saga's first event and of the last one, if the stream carried them.
        var startedAt: Date?
        var endedAt: Date?
        /// How many times the service refused the stream with 429 (too many open) before accepting it.
        var refusals: Int
    }

    /// Opens `GET /v1/orders/{orderId}/events` and reads it until the saga's terminal event (or `SagaStuck`,
    /// which waits for an operator) arrives; a 429 is retried after a short pause until `deadline`.
    func awaitEnd(orderId: String, deadline: ContinuousClock.Instant) async throws -> SagaEnd {
        var refusals = 0
        while true {
            var request = HTTPClientRequest(url: baseURL + "/v1/orders/\(orderId)/events")
            request.headers.add(name: "Authorization", value: "Bearer \(key)")
            request.headers.add(name: "Accept", value: "text/event-stream")
            let remaining = deadline - .now
            guard remaining > .zero else {
                throw BenchError("the event stream of order \(orderId) did not end in time")
            }
            let response = try await http.execute(request, timeout: .nanoseconds(remaining.nanosecondsClamped))
            if response.status.code == 429 {
                refusals += 1
                _ = try? await response.body.collect(upTo: 1 << 20)
                try await Task.sleep(for: .milliseconds(50))
                continue
            }
            guard response.status.code == 200 else {
                throw BenchError("the event stream of order \(orderId) answered \(response.status.code)")
            }
            var reader = EventStreamReader()
            for try await chunk in response.body {
                for frame in reader.frames(adding: chunk) {
                    if frame.type == HistoryEvent.EventType.sagaStarted.rawValue {
                        reader.startedAt = Self.timestamp(in: frame.data)
                    }
                    if Self.endsMeasurement(frame.type) {
                        return SagaEnd(
                            eventType: frame.type, arrived: .now, startedAt: reader.startedAt,
                            endedAt: Self.timestamp(in: frame.data), refusals: refusals)
                    }
                }
            }
            return SagaEnd(eventType: nil, arrived: .now, startedAt: reader.startedAt, endedAt: nil, refusals: refusals)
        }
    }

    /// Whether an event of this type ends a saga's measurement: a terminal event, or `SagaStuck`.
    static func endsMeasurement(_ type: String?) -> Bool {
        guard let type, let kind = HistoryEvent.EventType(rawValue: type) else { return false }
        return kind.isTerminal || kind == .sagaStuck
    }

    /// The saga status an ending event stands for (`SagaCompleted` → `COMPLETED`, …).
    static func status(of type: String?) -> String {
        switch type.flatMap(HistoryEvent.EventType.init(rawValue:)) {
        case .sagaCompleted: "COMPLETED"
        case .sagaCompensated: "COMPENSATED"
        case .sagaCancelled: "CANCELLED"
        case .sagaReverted: "REVERTED"
        case .sagaStuck: "STUCK"
        default: "stream closed early"
        }
    }

    /// The `at` of an event's JSON.
    private static func timestamp(in data: String) -> Date? {
        LoadRun.date(BenchClient.object(Data(data.utf8))["at"])
    }
}

/// Splits a Server-Sent Events body into frames (`event:` and `data:` lines up to a blank line).
struct EventStreamReader {
    struct Frame {
        var type: String?
        var data: String
    }

    private var pending = ""
    /// The server's timestamp of `SagaStarted`, once it went by.
    var startedAt: Date?

    /// The frames completed by `chunk`.
    mutating func frames(adding chunk: ByteBuffer) -> [Frame] {
        pending += String(buffer: chunk)
        var frames: [Frame] = []
        while let end = pending.range(of: "\n\n") {
            let block = pending[..<end.lowerBound]
            pending.removeSubrange(..<end.upperBound)
            var frame = Frame(type: nil, data: "")
            for line in block.split(separator: "\n", omittingEmptySubsequences: true) {
                if line.hasPrefix("event:") {
                    frame.type = line.dropFirst(6).trimmingCharacters(in: .whitespaces)
                } else if line.hasPrefix("data:") {
                    frame.data += line.dropFirst(5).trimmingCharacters(in: .whitespaces)
                }
            }
            if frame.type != nil { frames.append(frame) }
        }
        return frames
    }
}

extension Duration {
    /// This duration in whole nanoseconds, clamped to `Int64`.
    var nanosecondsClamped: Int64 {
        let (seconds, attoseconds) = components
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : product &+ attoseconds / 1_000_000_000
    }
}

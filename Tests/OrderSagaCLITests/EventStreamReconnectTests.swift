import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

/// `sagas watch` over connections that drop: a stand-in event stream closes after every few events, once in the
/// middle of a frame, as a proxy or a restarting instance would.
@Suite("Command line: watch resumes dropped streams", .timeLimit(.minutes(2)))
struct EventStreamReconnectTests {
    /// An event as the service sends it.
    static func frame(_ seq: Int, _ type: String, step: String? = nil) -> String {
        let stepJSON = step.map { "\"\($0)\"" } ?? "null"
        return
            "id: \(seq)\nevent: \(type)\ndata: {\"at\":\"2026-11-30T08:00:0\(seq).000Z\",\"attempt\":null,\"data\":{},\"seq\":\(seq),\"step\":\(stepJSON),\"type\":\"\(type)\"}\n\n"
    }

    @Test("each reconnection sends Last-Event-ID of the last event; no event is printed twice; exit 0 at the end")
    func resumesAfterDrops() async throws {
        let seen = Mutex<[String]>([])
        let router = Router()
        router.get("/v1/orders/{orderId}/events") { request, _ -> Response in
            let last = request.headers[HTTPField.Name("Last-Event-ID")!] ?? "none"
            let connection = seen.withLock { seen in
                seen.append(last)
                return seen.count
            }
            let body: String =
                switch connection {
                // Two events, a keep-alive comment, then the connection ends.
                case 1:
                    Self.frame(1, "SagaStarted") + ": keep-alive\r\n\r\n"
                        + Self.frame(2, "StepStarted", step: "ReserveInventory")
                // An event, then a frame cut off in the middle.
                case 2:
                    Self.frame(3, "StepCompleted", step: "ReserveInventory")
                        + "id: 4\nevent: SagaCompleted\ndata: {\"at"
                // The rest, replayed from the last whole event, to the terminal one.
                default: Self.frame(4, "SagaCompleted")
                }
            var headers = HTTPFields()
            headers[.contentType] = "text/event-stream"
            return Response(
                status: .ok, headers: headers,
                body: ResponseBody { writer in
                    try await writer.write(ByteBuffer(string: body))
                    try await writer.finish(nil)
                })
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        let result = try await app.test(.live) { client in
            try await CLIResult.run(
                ["sagas", "watch", "ord_1", "--output", "jsonl"],
                environment: ["ORDER_SAGA_URL": "http://127.0.0.1:\(client.port ?? 0)", "ORDER_SAGA_KEY": "k"],
                timeout: .seconds(60))
        }
        #expect(result.status == 0, "\(result)")
        #expect(try result.jsonLines.map { $0["seq"] as? Int } == [1, 2, 3, 4], "\(result)")
        #expect(seen.withLock { $0 } == ["none", "2", "3"])
    }

    @Test("a stream that keeps closing without events gives up after --retries, exit 1")
    func givesUpWithoutProgress() async throws {
        let connections = Mutex(0)
        let router = Router()
        router.get("/v1/orders/{orderId}/events") { _, _ -> Response in
            connections.withLock { $0 += 1 }
            var headers = HTTPFields()
            headers[.contentType] = "text/event-stream"
            return Response(
                status: .ok, headers: headers, body: ResponseBody { writer in try await writer.finish(nil) })
        }
        router.get("/v1/orders/{orderId}/saga") { _, _ -> Response in
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            let saga = #"{"orderId":"ord_1","sagaId":"saga_1","status":"RUNNING","step":null,"steps":[],"history":[]}"#
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: saga)))
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        let result = try await app.test(.live) { client in
            try await CLIResult.run(
                ["sagas", "watch", "ord_1", "--retries", "2"],
                environment: ["ORDER_SAGA_URL": "http://127.0.0.1:\(client.port ?? 0)", "ORDER_SAGA_KEY": "k"],
                timeout: .seconds(60))
        }
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr.contains("closed before the saga ended"), "\(result)")
        #expect(connections.withLock { $0 } == 3)
    }
}

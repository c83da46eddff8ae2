import OrderSagaClient
import Testing

@Suite("Server-Sent Events parser")
struct ServerSentEventParserTests {
    @Test("events split at every byte come out whole, with their id, type and data")
    func splitAnywhere() {
        let stream = Array(
            "id: 1\nevent: SagaStarted\ndata: {\"seq\":1,\"name\":\"Änne\"}\n\n: keep-alive\n\nid: 2\ndata: x\n\n".utf8)
        var parser = ServerSentEventParser()
        var events: [ServerSentEvent] = []
        for byte in stream { events += parser.consume([byte]) }
        #expect(
            events == [
                ServerSentEvent(type: "SagaStarted", data: #"{"seq":1,"name":"Änne"}"#, id: "1"),
                ServerSentEvent(type: "message", data: "x", id: "2"),
            ])
    }

    @Test("CRLF and CR line ends, data over several lines, fields without a space, unknown fields")
    func lineEndsAndFields() {
        var parser = ServerSentEventParser()
        let events = parser.consume(Array("retry: 10\r\nid:7\r\ndata:a\r\ndata: b\r\r\nevent: E\rdata: c\r\r".utf8))
        #expect(events == [ServerSentEvent(data: "a\nb", id: "7"), ServerSentEvent(type: "E", data: "c", id: "7")])
    }

    @Test("an event without data is not dispatched, and an unfinished one waits for its blank line")
    func incomplete() {
        var parser = ServerSentEventParser()
        #expect(parser.consume(Array("event: Nothing\n\nid: 3\ndata: partial\n".utf8)).isEmpty)
        #expect(parser.consume(Array("\n".utf8)) == [ServerSentEvent(data: "partial", id: "3")])
    }
}

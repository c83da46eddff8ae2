/// Turns the bytes of a `text/event-stream` into events, as the HTML standard's parsing rules say.
///
/// Bytes may arrive split anywhere, even inside a line or a UTF-8 sequence:
///
/// ```swift
/// var parser = ServerSentEventParser()
/// for try await chunk in body {
///     for event in parser.consume(chunk.readableBytesView) { handle(event) }
/// }
/// ```
///
/// Lines end in LF, CR or CRLF; comment lines (`: keep-alive`) and unknown fields are skipped; an event is
/// dispatched at the blank line after it, and only when it has data.
public struct ServerSentEventParser: Sendable {
    private var line: [UInt8] = []
    private var lastWasCarriageReturn = false
    private var dataLines: [String] = []
    private var eventType = ""
    private var lastEventId: String?

    public init() {}

    /// Parses `bytes`, returning the events they complete.
    public mutating func consume(_ bytes: some Sequence<UInt8>) -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\n") where lastWasCarriageReturn:
                lastWasCarriageReturn = false
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                lastWasCarriageReturn = byte == UInt8(ascii: "\r")
                if let event = endOfLine() { events.append(event) }
            default:
                lastWasCarriageReturn = false
                line.append(byte)
            }
        }
        return events
    }

    /// Handles the line collected so far; returns the event a blank line dispatches.
    private mutating func endOfLine() -> ServerSentEvent? {
        defer { line.removeAll(keepingCapacity: true) }
        guard !line.isEmpty else { return dispatch() }
        guard line.first != UInt8(ascii: ":") else { return nil }
        let text = String(decoding: line, as: UTF8.self)
        let name: Substring
        var value: Substring
        if let colon = text.firstIndex(of: ":") {
            name = text[..<colon]
            value = text[text.index(after: colon)...]
            if value.first == " " { value = value.dropFirst() }
        } else {
            name = text[...]
            value = ""
        }
        switch name {
        case "event": eventType = String(value)
        case "data": dataLines.append(String(value))
        case "id" where !value.contains("\0"): lastEventId = String(value)
        default: break
        }
        return nil
    }

    /// The event collected since the last blank line, if it has data; resets for the next one.
    private mutating func dispatch() -> ServerSentEvent? {
        defer {
            dataLines.removeAll()
            eventType = ""
        }
        guard !dataLines.isEmpty else { return nil }
        return ServerSentEvent(
            type: eventType.isEmpty ? "message" : eventType, data: dataLines.joined(separator: "\n"), id: lastEventId)
    }
}

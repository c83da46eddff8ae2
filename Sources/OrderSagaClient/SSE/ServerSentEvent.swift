/// One event of a `text/event-stream`.
public struct ServerSentEvent: Sendable, Equatable {
    /// The `event:` field; `message` when the event has none.
    public var type: String
    /// The `data:` lines, joined by newlines.
    public var data: String
    /// The last `id:` seen so far in the stream, if any.
    public var id: String?

    public init(type: String = "message", data: String, id: String? = nil) {
        self.type = type
        self.data = data
        self.id = id
    }
}

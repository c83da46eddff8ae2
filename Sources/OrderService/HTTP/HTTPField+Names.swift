import HTTPTypes

/// Header names the API reads or writes beyond the standard ones.
extension HTTPField.Name {
    /// The client's key that makes a placement safe to repeat.
    static let idempotencyKey = Self("Idempotency-Key")!
    /// Set to `true` on an answer that repeats the first answer for an `Idempotency-Key`.
    static let idempotentReplayed = Self("Idempotent-Replayed")!
    /// The last event a reconnecting event-stream client saw.
    static let lastEventID = Self("Last-Event-ID")!
    /// Tells proxies such as nginx not to buffer the event stream.
    static let accelBuffering = Self("X-Accel-Buffering")!
}

/// How an event stream is resumed after its connection drops: a bounded exponential backoff.
public struct ReconnectPolicy: Sendable {
    /// The wait before the first reconnection.
    public var initialDelay: Duration
    /// The longest wait between reconnections.
    public var maximumDelay: Duration
    /// Reconnections in a row that bring no event before giving up.
    public var maximumFailures: Int

    public init(
        initialDelay: Duration = .milliseconds(200), maximumDelay: Duration = .seconds(5), maximumFailures: Int = 10
    ) {
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
        self.maximumFailures = maximumFailures
    }

    /// The wait after `failures` failed connections in a row (1, 2, …): doubling, at most ``maximumDelay``.
    public func delay(afterFailures failures: Int) -> Duration {
        var delay = initialDelay
        for _ in 1..<max(failures, 1) {
            delay *= 2
            if delay >= maximumDelay { return maximumDelay }
        }
        return min(delay, maximumDelay)
    }
}

/// Settings of a `MongoClient` that are not part of its connection string.
///
/// Options given in the URI win over `serverSelectionTimeout`, `connectTimeout` and `socketTimeout` here.
public struct MongoClientOptions: Sendable {
    /// Threads that run libmongoc's blocking calls (each blocking call holds one for its round trip).
    public var threads: Int
    /// Connections (pooled clients) the client may hold at once: operations in flight plus open cursors,
    /// sessions and change streams. Operations beyond it wait, suspended, for a free client.
    public var maxConnections: Int
    /// How long an operation waits for a suitable server before failing with `.serverSelection`.
    public var serverSelectionTimeout: Duration
    /// How long opening a connection may take.
    public var connectTimeout: Duration
    /// How long one socket read or write may take before it fails with `.timeout` (zero: no limit).
    public var socketTimeout: Duration
    /// The application name servers log for this client.
    public var appName: String

    /// Creates options; the defaults suit a service on a healthy network.
    public init(
        threads: Int = 16,
        maxConnections: Int = 64,
        serverSelectionTimeout: Duration = .seconds(5),
        connectTimeout: Duration = .seconds(5),
        socketTimeout: Duration = .seconds(30),
        appName: String = "order-saga"
    ) {
        self.threads = threads
        self.maxConnections = maxConnections
        self.serverSelectionTimeout = serverSelectionTimeout
        self.connectTimeout = connectTimeout
        self.socketTimeout = socketTimeout
        self.appName = appName
    }
}

extension Duration {
    /// This duration in whole milliseconds, clamped to `Int32`.
    var clampedMilliseconds: Int32 {
        let (seconds, attoseconds) = components
        let millis = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return Int32(clamping: millis)
    }
}

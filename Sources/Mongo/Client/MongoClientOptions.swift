/// Settings of a `MongoClient` that are not part of its connection string.
///
/// Options given in the URI win over `serverSelectionTimeout`, `connectTimeout` and `socketTimeout` here.
public struct MongoClientOptions: Sendable {
    /// Threads that run libmongoc's blocking calls (each blocking call holds one for its round trip).
    public var threads: Int
    /// Sessions (transactions) open at once; each has a thread of its own while open, so a transaction can
    /// always finish even when every shared thread waits on a lock it holds. More wait, suspended.
    public var maxSessions: Int
    /// Connections (pooled clients) for operations in flight, open cursors and change streams; sessions have
    /// `maxSessions` more of their own. Operations beyond it wait, suspended, for a free client.
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
        maxSessions: Int = 16,
        maxConnections: Int = 64,
        serverSelectionTimeout: Duration = .seconds(5),
        connectTimeout: Duration = .seconds(5),
        socketTimeout: Duration = .seconds(30),
        appName: String = "order-saga"
    ) {
        self.threads = threads
        self.maxSessions = maxSessions
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

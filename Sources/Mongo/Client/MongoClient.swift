import CMongoc
import Logging
import NIOPosix

/// The one entry point to MongoDB: a pool of connections to one deployment, safe to share everywhere.
///
/// libmongoc's calls block, so every one of them runs on the client's own bounded thread pool, never
/// on an event loop or a Swift concurrency thread; callers just `await`.
///
/// ```swift
/// let client = try MongoClient("mongodb://127.0.0.1:27017/?replicaSet=rs0")
/// let orders = client.database("shop").collection("orders", as: Order.self)
/// try await orders.insertOne(order)
/// await client.shutdown()
/// ```
public final class MongoClient: Sendable {
    let pool: ClientPool
    /// The options this client was made with.
    public let options: MongoClientOptions
    /// The connection string's database, if it names one.
    public let defaultDatabaseName: String?
    /// Counts the commands the pool's clients send (`commandCounts`).
    let commandMonitor = CommandMonitor()

    private static let libraryReady: Void = {
        mongoc_init()
        DriverLog.install()
    }()

    /// Connects lazily to the deployment at `uri`; throws `.invalidArgument` for a malformed URI.
    public init(_ uri: String, options: MongoClientOptions = MongoClientOptions()) throws {
        _ = Self.libraryReady
        self.options = options
        var error = bson_error_t()
        guard let parsed = mongoc_uri_new_with_error(uri, &error) else {
            throw MongoError(.invalidArgument, message: "invalid MongoDB URI: \(MongoError.message(of: error))")
        }
        defer { mongoc_uri_destroy(parsed) }
        defaultDatabaseName = mongoc_uri_get_database(parsed).map { String(cString: $0) }

        Self.setDefault(parsed, "serverselectiontimeoutms", options.serverSelectionTimeout)
        Self.setDefault(parsed, "connecttimeoutms", options.connectTimeout)
        Self.setDefault(parsed, "sockettimeoutms", options.socketTimeout)
        mongoc_uri_set_option_as_int32(parsed, "maxpoolsize", Int32(options.maxConnections + options.maxSessions))
        if mongoc_uri_get_appname(parsed) == nil {
            mongoc_uri_set_appname(parsed, options.appName)
        }
        guard let poolPointer = mongoc_client_pool_new_with_error(parsed, &error) else {
            throw MongoError(.invalidArgument, message: "cannot create a client pool: \(MongoError.message(of: error))")
        }
        mongoc_client_pool_set_error_api(poolPointer, Int32(MONGOC_ERROR_API_VERSION_2))
        pool = ClientPool(
            pointer: poolPointer,
            runtime: BlockingRuntime(threads: options.threads, sessionThreads: options.maxSessions),
            size: options.maxConnections, sessions: options.maxSessions)
        // Before any client leaves the pool: libmongoc refuses callbacks set later.
        commandMonitor.install(on: poolPointer)
    }

    private static func setDefault(_ uri: OpaquePointer, _ key: String, _ value: Duration) {
        if !mongoc_uri_has_option(uri, key) {
            mongoc_uri_set_option_as_int32(uri, key, value.clampedMilliseconds)
        }
    }

    /// A handle on the database `name` (nothing is sent until it is used).
    public func database(_ name: String) -> MongoDatabase {
        MongoDatabase(client: self, name: name)
    }

    /// Where libmongoc's blocking calls ran and how many are in flight (a test hook and an operator's gauge).
    public var diagnostics: MongoDiagnostics.Snapshot { pool.runtime.diagnostics.snapshot }

    /// Whether `shutdown()` has begun (new operations are refused).
    public var isShutDown: Bool { pool.runtime.isClosed }

    /// Sends `ping` to the deployment; throws if no suitable server answers within the server-selection timeout.
    public func ping() async throws {
        _ = try await database("admin").runCommand(["ping": 1])
    }

    /// Stops taking operations, waits for those in flight and for leased clients (up to `grace`), then frees everything.
    ///
    /// Operations started after this throw `MongoError.Kind.shutdown`.
    public func shutdown(grace: Duration = .seconds(10)) async {
        let runtime = pool.runtime
        await runtime.closeAndDrain()
        let deadline = ContinuousClock.now + grace
        while pool.leasedCount > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        if pool.leasedCount == 0 {
            await pool.destroyAfterDrain()
        }
        await runtime.stopThreads()
    }
}

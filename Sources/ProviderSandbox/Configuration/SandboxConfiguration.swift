/// Everything that shapes a provider sandbox: where it listens, where it keeps its journal, and the
/// faults it injects.
///
/// Build one in code (every property has the documented default) or from the environment with
/// ``init(environment:)``.
public struct SandboxConfiguration: Sendable, Equatable {
    /// The interface to listen on (`SANDBOX_HOST`, default `127.0.0.1`).
    public var host: String
    /// The TCP port to listen on (`SANDBOX_PORT`, default 8090); 0 picks a free port.
    public var port: Int
    /// The folder of the append-only journal (`SANDBOX_DATA_DIR`); nil keeps everything in memory only.
    public var dataDirectory: String?
    /// The share of mutating calls, 0.0 to 1.0, that fail with 503 before doing anything (`SANDBOX_FAILURE_RATE`).
    public var failureRate: Double
    /// The latency added to each mutating call (`SANDBOX_LATENCY_MS`, `"ms"` or `"min-max"`).
    public var latency: LatencyRange
    /// How late the first `tok_slow` charge of an order is answered (`SANDBOX_SLOW_DELAY_MS`, default 3000 ms).
    public var slowDelay: Duration
    /// The seed of the fault injector's random numbers (`SANDBOX_SEED`); nil for a random seed.
    public var seed: UInt64?

    /// A configuration with the given values; the defaults are those of an unconfigured sandbox.
    public init(
        host: String = "127.0.0.1",
        port: Int = 8090,
        dataDirectory: String? = nil,
        failureRate: Double = 0,
        latency: LatencyRange = .none,
        slowDelay: Duration = .milliseconds(3000),
        seed: UInt64? = nil
    ) {
        self.host = host
        self.port = port
        self.dataDirectory = dataDirectory
        self.failureRate = failureRate
        self.latency = latency
        self.slowDelay = slowDelay
        self.seed = seed
    }
}

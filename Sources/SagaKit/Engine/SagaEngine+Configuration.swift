import Foundation
import Metrics
import Tracing

extension SagaEngine {
    /// How an engine runs: its name in leases, lease and polling timings, concurrency, clock and jitter.
    public struct Configuration: Sendable {
        /// This executor's name in leases; unique per process.
        public var instanceId: String
        /// How long a lease lasts without renewal (another executor may take a saga after it expires).
        public var leaseDuration: Duration
        /// How often held leases are renewed, in one batched call (default: a third of ``leaseDuration``).
        public var renewInterval: Duration
        /// How often the store is polled for due sagas (recovery and other executors' timers).
        public var pollInterval: Duration
        /// The most sagas this executor holds at once.
        public var maxConcurrentSagas: Int

        /// The default of ``maxConcurrentSagas``. A bound protects the steps' providers and this process, not the
        /// store: a saga queued for a slot costs the store more than a running one (a claim of its own, and a first
        /// append that cannot share the start's write).
        public static let defaultMaxConcurrentSagas = 256
        /// How long ``SagaEngine/shutdown()`` lets running attempts finish.
        public var shutdownGracePeriod: Duration
        /// How long a saga that cannot run here (unknown definition version, undecodable input) is left alone before trying again.
        public var quarantineInterval: Duration
        /// How many times a failing store write is retried (with a short real-time backoff) before the saga is dropped.
        public var storeRetryLimit: Int
        /// The most events one saga's history may hold: an attempt that ends past it is not retried, so the saga
        /// compensates or, where that is how it gives up, goes STUCK; nothing grows a history without bound, and a
        /// store's size limit (16 MB for a MongoDB document) is never reached. At most 2^20 − 1.
        public var maxHistoryEvents: Int
        /// The source of time.
        public var clock: any SagaClock
        /// The source of retry jitter.
        public var jitter: JitterSource
        /// How metrics name a terminal status (an application may show its own names, such as REFUNDED for REVERTED).
        public var statusName: @Sendable (SagaStatus) -> String
        /// Attributes a saga's spans carry besides the engine's own (an application's id for it, say).
        public var traceAttributes: @Sendable (_ sagaId: String) -> [String: String]
        /// Where the engine's metrics go: when `nil`, `MetricsSystem.factory` as it is when the engine is made
        /// (bootstrap the metrics system first); a test's own factory sees its engine's metrics alone.
        public var metricsFactory: (any MetricsFactory)?
        /// Where the engine's spans go: when `nil`, `InstrumentationSystem.tracer` as it is when the engine is made
        /// (bootstrap it first); a test's own tracer sees its engine's spans alone.
        public var tracer: (any Tracer)?

        /// Creates a configuration.
        public init(
            instanceId: String = Configuration.defaultInstanceId(),
            leaseDuration: Duration = .seconds(30),
            renewInterval: Duration? = nil,
            pollInterval: Duration = .seconds(1),
            maxConcurrentSagas: Int = defaultMaxConcurrentSagas,
            shutdownGracePeriod: Duration = .seconds(10),
            quarantineInterval: Duration = .seconds(60),
            storeRetryLimit: Int = 5,
            maxHistoryEvents: Int = 5_000,
            clock: any SagaClock = SystemClock(),
            jitter: JitterSource = JitterSource(),
            statusName: @escaping @Sendable (SagaStatus) -> String = { $0.rawValue },
            traceAttributes: @escaping @Sendable (_ sagaId: String) -> [String: String] = { _ in [:] },
            metricsFactory: (any MetricsFactory)? = nil,
            tracer: (any Tracer)? = nil
        ) {
            self.instanceId = instanceId
            self.leaseDuration = leaseDuration
            self.renewInterval = renewInterval ?? leaseDuration / 3
            self.pollInterval = pollInterval
            self.maxConcurrentSagas = max(1, maxConcurrentSagas)
            self.shutdownGracePeriod = shutdownGracePeriod
            self.quarantineInterval = quarantineInterval
            self.storeRetryLimit = max(0, storeRetryLimit)
            self.maxHistoryEvents = min((1 << FencingToken.sequenceBits) - 1, max(16, maxHistoryEvents))
            self.clock = clock
            self.jitter = jitter
            self.statusName = statusName
            self.traceAttributes = traceAttributes
            self.metricsFactory = metricsFactory
            self.tracer = tracer
        }

        /// `<host name>-<process id>-<random suffix>`: unique per start, even for containers that share a host
        /// name and all run as pid 1.
        public static func defaultInstanceId() -> String {
            let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 36)
            return "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)-\(suffix)"
        }
    }
}

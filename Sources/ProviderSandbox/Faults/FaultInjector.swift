/// Decides, per mutating call, the added latency and whether the call fails with an injected 503.
actor FaultInjector {
    private let failureRate: Double
    private let latency: LatencyRange
    private var generator: SplitMix64

    /// An injector failing `failureRate` (clamped to 0...1) of calls and adding `latency`, seeded by `seed`
    /// (a random seed when nil).
    init(failureRate: Double, latency: LatencyRange, seed: UInt64?) {
        self.failureRate = failureRate.isNaN ? 0 : min(max(failureRate, 0), 1)
        self.latency = latency
        self.generator = SplitMix64(seed: seed ?? UInt64.random(in: .min ... .max))
    }

    /// Whether the next call should fail with 503 before doing anything.
    func shouldInjectFailure() -> Bool {
        if failureRate <= 0 { return false }
        if failureRate >= 1 { return true }
        return Double.random(in: 0..<1, using: &generator) < failureRate
    }

    /// The latency to add to the next call (zero when none is configured).
    func nextLatency() -> Duration {
        if latency.isNone { return .zero }
        let milliseconds = Int.random(
            in: latency.minimumMilliseconds...latency.maximumMilliseconds, using: &generator)
        return .milliseconds(milliseconds)
    }
}

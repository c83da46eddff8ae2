/// Counts of calls per endpoint and of the faults the sandbox produced, for `GET /stats`.
///
/// Kept in memory only: the counts start at zero whenever the sandbox starts.
actor SandboxStatistics {
    private var calls: [String: Int] = [:]
    private var injectedFailures: [String: Int] = [:]
    private var simulatedFailures: [String: Int] = [:]
    private var idempotentReplays: [String: Int] = [:]

    /// Counts one call of `endpoint` (e.g. `POST /payments/charges`).
    func recordCall(_ endpoint: String) {
        calls[endpoint, default: 0] += 1
    }

    /// Counts one 503 injected by the failure rate on `endpoint`.
    func recordInjectedFailure(_ endpoint: String) {
        injectedFailures[endpoint, default: 0] += 1
    }

    /// Counts one failure acted out by a test token (a `tok_flaky` 503) on `endpoint`.
    func recordSimulatedFailure(_ endpoint: String) {
        simulatedFailures[endpoint, default: 0] += 1
    }

    /// Counts one stored answer repeated for a known key on `endpoint`.
    func recordReplay(_ endpoint: String) {
        idempotentReplays[endpoint, default: 0] += 1
    }

    /// The counts so far.
    func snapshot() -> StatisticsSnapshot {
        StatisticsSnapshot(
            calls: calls,
            injectedFailures: injectedFailures,
            simulatedFailures: simulatedFailures,
            idempotentReplays: idempotentReplays,
            totalCalls: calls.values.reduce(0, +),
            totalInjectedFailures: injectedFailures.values.reduce(0, +))
    }
}

/// The body of `GET /stats`; every map is keyed by endpoint, e.g. `POST /payments/charges`.
struct StatisticsSnapshot: Codable, Sendable, Equatable {
    /// Calls received.
    let calls: [String: Int]
    /// 503s injected by `SANDBOX_FAILURE_RATE`.
    let injectedFailures: [String: Int]
    /// Failures acted out by test tokens (`tok_flaky`).
    let simulatedFailures: [String: Int]
    /// Stored answers repeated for known idempotency keys.
    let idempotentReplays: [String: Int]
    /// All calls received.
    let totalCalls: Int
    /// All 503s injected by the failure rate.
    let totalInjectedFailures: Int
}

import Foundation
import Metrics
import Synchronization

/// The engine's metrics, through swift-metrics (the service installs a Prometheus backend).
///
/// * `saga_started_total{definition}` and `saga_finished_total{definition,status}`: each entry into a terminal
///   status, named by the configuration's `statusName` (a reverted saga counted COMPLETED earlier counts again)
/// * `saga_stuck_total{definition}`: sagas whose compensation exhausted its retries
/// * `saga_step_attempts_total{step,outcome}` with outcome `completed`, `failed` or `timeout`
/// * `saga_step_retries_total{step}`: failures that schedule another attempt
/// * `saga_step_duration_seconds{step}`: a timer per attempt
/// * `saga_engine_held_sagas{instance}`: sagas this executor holds
///
/// The handles updated on every attempt (per step and outcome) and on every held-saga change are made on first use
/// and kept, so the hot path allocates none.
struct EngineMetrics: Sendable {
    let instanceId: String
    let statusName: @Sendable (SagaStatus) -> String
    /// Where the metrics go.
    let factory: any MetricsFactory
    private let handles: Handles

    init(instanceId: String, statusName: @escaping @Sendable (SagaStatus) -> String, factory: any MetricsFactory) {
        self.instanceId = instanceId
        self.statusName = statusName
        self.factory = factory
        self.handles = Handles(factory: factory)
    }

    /// Creates the counters of `definitions` at zero, so a dashboard sees every outcome (stuck included)
    /// before it first happens.
    func prime(definitions: [String]) {
        let terminal: [SagaStatus] = [.completed, .compensated, .cancelled, .reverted]
        for definition in definitions {
            Counter(label: "saga_started_total", dimensions: [("definition", definition)], factory: factory)
                .increment(by: 0)
            Counter(label: "saga_stuck_total", dimensions: [("definition", definition)], factory: factory)
                .increment(by: 0)
            for status in terminal {
                Counter(
                    label: "saga_finished_total",
                    dimensions: [("definition", definition), ("status", statusName(status))], factory: factory
                ).increment(by: 0)
            }
        }
    }

    func sagaStarted(definition: String) {
        Counter(label: "saga_started_total", dimensions: [("definition", definition)], factory: factory).increment()
    }

    func sagaFinished(definition: String, status: SagaStatus) {
        Counter(
            label: "saga_finished_total", dimensions: [("definition", definition), ("status", statusName(status))],
            factory: factory
        ).increment()
    }

    func attempt(step: String, outcome: String, duration: Duration) {
        let (attempts, timer) = handles.attempt(step: step, outcome: outcome)
        attempts.increment()
        timer.recordNanoseconds(SagaTime.milliseconds(duration) * 1_000_000)
    }

    func retryScheduled(step: String) {
        Counter(label: "saga_step_retries_total", dimensions: [("step", step)], factory: factory).increment()
    }

    func heldSagas(_ count: Int) {
        handles.heldSagas(instanceId: instanceId).record(count)
    }

    /// Records the metrics the appended `events` of saga `definition` imply (the engine's own events carry their
    /// typed view, so this parses nothing; an event that does not read counts nothing, and the others still count).
    func record(events: [HistoryEvent], definition: String) {
        for event in events {
            guard let kind = try? event.kind() else { continue }
            switch kind {
            case .stepFailed(let step, _, _, .some), .compensationFailed(let step, _, _, _, .some):
                retryScheduled(step: step)
            case .sagaCompleted: sagaFinished(definition: definition, status: .completed)
            case .sagaCompensated: sagaFinished(definition: definition, status: .compensated)
            case .sagaCancelled: sagaFinished(definition: definition, status: .cancelled)
            case .sagaReverted: sagaFinished(definition: definition, status: .reverted)
            case .sagaStuck:
                Counter(label: "saga_stuck_total", dimensions: [("definition", definition)], factory: factory)
                    .increment()
            default: break
            }
        }
    }
}

extension EngineMetrics {
    /// The metric handles kept for reuse.
    final class Handles: Sendable {
        private struct Kept {
            var attempts: [String: [String: Counter]] = [:]
            var durations: [String: Metrics.Timer] = [:]
            var held: Gauge?
        }

        private let kept = Mutex(Kept())
        private let factory: any MetricsFactory

        init(factory: any MetricsFactory) {
            self.factory = factory
        }

        /// The attempts counter of `step` and `outcome`, and the duration timer of `step`.
        func attempt(step: String, outcome: String) -> (Counter, Metrics.Timer) {
            kept.withLock { kept in
                if let counter = kept.attempts[step]?[outcome], let timer = kept.durations[step] {
                    return (counter, timer)
                }
                let counter =
                    kept.attempts[step]?[outcome]
                    ?? Counter(
                        label: "saga_step_attempts_total", dimensions: [("step", step), ("outcome", outcome)],
                        factory: factory)
                let timer =
                    kept.durations[step]
                    ?? Metrics.Timer(
                        label: "saga_step_duration_seconds", dimensions: [("step", step)],
                        preferredDisplayUnit: .seconds, factory: factory)
                kept.attempts[step, default: [:]][outcome] = counter
                kept.durations[step] = timer
                return (counter, timer)
            }
        }

        /// The held-sagas gauge of executor `instanceId`.
        func heldSagas(instanceId: String) -> Gauge {
            kept.withLock { kept in
                if let held = kept.held { return held }
                let held = Gauge(
                    label: "saga_engine_held_sagas", dimensions: [("instance", instanceId)], factory: factory)
                kept.held = held
                return held
            }
        }
    }
}

import Foundation
import SagaKit
import SagaKitTesting

/// Builders for the test sagas: steps that log their calls and follow a script.
enum TestSagas {
    /// An action step `name` that logs each call, follows `script`, and returns a ``Receipt``;
    /// with `compensation`, a compensation that logs and follows `compensationScript`.
    static func step(
        _ name: String,
        log: EffectLog,
        script: StepScript = .succeed,
        compensation: String? = nil,
        compensationScript: StepScript = .succeed,
        retry: RetryPolicy = RetryPolicy(
            initialInterval: .milliseconds(100), maximumInterval: .seconds(1), maximumAttempts: 3, jitter: 0),
        compensationRetry: RetryPolicy = RetryPolicy(
            initialInterval: .milliseconds(100), maximumInterval: .seconds(1), maximumAttempts: 3, jitter: 0),
        timeout: Duration = .seconds(5)
    ) -> ActionStep<TestInput> {
        var step = ActionStep<TestInput>(name, retryPolicy: retry, timeout: timeout) { context in
            log.record(name, key: context.idempotencyKey, attempt: context.attempt)
            try await script.perform()
            return Receipt(step: name, key: context.idempotencyKey, attempt: context.attempt)
        }
        if let compensation {
            step = step.compensate(compensation, retryPolicy: compensationRetry, timeout: timeout) { context in
                log.record(compensation, key: context.idempotencyKey, attempt: context.attempt)
                try await compensationScript.perform()
            }
        }
        return step
    }

    /// Four steps A, B, C, D with compensations undoA, undoB, undoC (D has none).
    static func fourSteps(
        log: EffectLog,
        name: String = "four",
        version: Int = 1,
        scripts: [String: StepScript] = [:],
        compensationScripts: [String: StepScript] = [:]
    ) -> SagaDefinition<TestInput> {
        SagaDefinition(name: name, version: version) {
            step(
                "A", log: log, script: scripts["A"] ?? .succeed, compensation: "undoA",
                compensationScript: compensationScripts["undoA"] ?? .succeed)
            step(
                "B", log: log, script: scripts["B"] ?? .succeed, compensation: "undoB",
                compensationScript: compensationScripts["undoB"] ?? .succeed)
            step(
                "C", log: log, script: scripts["C"] ?? .succeed, compensation: "undoC",
                compensationScript: compensationScripts["undoC"] ?? .succeed)
            step("D", log: log, script: scripts["D"] ?? .succeed)
        }
    }

    /// Reserve → [Approval wait, only when needsApproval] → Charge → Ship, like the order saga.
    static func approval(log: EffectLog, timeout: Duration = .seconds(3600), scripts: [String: StepScript] = [:])
        -> SagaDefinition<TestInput>
    {
        SagaDefinition(name: "approval", version: 1) {
            step("Reserve", log: log, script: scripts["Reserve"] ?? .succeed, compensation: "Release")
            SignalWaitStep<TestInput>(
                "AwaitApproval",
                continueOn: ["approve"],
                failOn: ["reject": .nonRetryable(kind: "Rejected", message: "rejected by an operator")],
                timeout: timeout,
                onTimeout: .nonRetryable(kind: "ApprovalTimeout", message: "no approval in time")
            )
            .when { $0.needsApproval }
            step("Charge", log: log, script: scripts["Charge"] ?? .succeed, compensation: "Refund")
            step("Ship", log: log, script: scripts["Ship"] ?? .succeed, compensation: "CancelShipment")
        }
    }

    /// A step, then a durable timer, then a step.
    static func timer(log: EffectLog, duration: Duration = .seconds(60)) -> SagaDefinition<TestInput> {
        SagaDefinition(name: "timer", version: 1) {
            step("Before", log: log, compensation: "UndoBefore")
            TimerStep<TestInput>("Sleep", duration: duration)
            step("After", log: log)
        }
    }
}

extension SagaRecord {
    /// The event types in order.
    var types: [String] { events.map(\.type) }

    /// The `step` of events of `type`, in order.
    func steps(of type: HistoryEvent.EventType) -> [String] {
        events.filter { $0.type == type.rawValue }.compactMap(\.step)
    }

    /// The events of `type`.
    func events(of type: HistoryEvent.EventType) -> [HistoryEvent] {
        events.filter { $0.type == type.rawValue }
    }
}

extension HistoryEvent {
    /// The date stored under `key` in the event's data.
    func date(_ key: String) -> Date? {
        data?[key]?.stringValue.flatMap(SagaTime.parse)
    }
}

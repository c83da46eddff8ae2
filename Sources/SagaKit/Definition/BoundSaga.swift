import Foundation
import Logging

/// A definition bound to one saga's input: what the pure decider and the runner work from.
///
/// Conditions are evaluated once here (they are pure functions of the input), so deciding needs no input. The
/// steps' actions, policies and waits are made once per definition (``BoundSaga/Template``) and shared by every
/// saga of it: binding a saga allocates its step list and keeps its input, nothing per step.
struct BoundSaga: Sendable {
    let name: String
    let version: Int
    let steps: [BoundStep]
    /// The saga's typed input, handed to each attempt.
    let input: any Sendable

    /// A definition's steps made once, with the conditions still to evaluate per input.
    struct Template: Sendable {
        let name: String
        let version: Int
        let steps: [(step: BoundStep, condition: (@Sendable (Any) -> Bool)?)]
        let decode: @Sendable (JSONValue) throws -> any Sendable

        init<Input: Codable & Sendable>(_ definition: SagaDefinition<Input>) {
            self.name = definition.name
            self.version = definition.version
            self.steps = definition.steps.map { step in
                (BoundStep(step: step), step.condition.map { condition in { condition($0 as! Input) } })
            }
            self.decode = { json in try json.decode(as: Input.self) }
        }

        /// The template bound to the input `inputJSON` holds.
        func bind(inputJSON: JSONValue) throws -> BoundSaga {
            let input = try decode(inputJSON)
            return BoundSaga(
                name: name, version: version,
                steps: steps.map { step, condition in
                    guard let condition, !condition(input) else { return step }
                    return step.disabled()
                },
                input: input)
        }
    }

    /// The element named `name`.
    func step(named name: String) -> BoundStep? { steps.first { $0.name == name } }

    /// The action that owns compensation `name`, and that compensation.
    func compensation(named name: String) -> (step: BoundStep, action: BoundAction, compensation: BoundCompensation)? {
        for step in steps {
            if case .action(let action) = step.kind, let compensation = action.compensation, compensation.name == name {
                return (step, action, compensation)
            }
        }
        return nil
    }
}

/// One element of a bound definition.
struct BoundStep: Sendable {
    enum Kind: Sendable {
        case action(BoundAction)
        case timer(Duration)
        case signalWait(BoundWait)
    }

    let name: String
    private(set) var isEnabled = true
    let kind: Kind

    var stepKind: SagaStepKind {
        switch kind {
        case .action: .action
        case .timer: .timer
        case .signalWait: .signalWait
        }
    }

    var action: BoundAction? {
        if case .action(let action) = kind { return action }
        return nil
    }

    init<Input: Codable & Sendable>(step: SagaStep<Input>) {
        self.name = step.name
        switch step {
        case .action(let action):
            self.kind = .action(BoundAction(action: action))
        case .timer(let timer):
            self.kind = .timer(timer.duration)
        case .signalWait(let wait):
            self.kind = .signalWait(
                BoundWait(
                    signals: wait.signals, timeout: wait.timeout, onSignal: wait.onSignal, onTimeout: wait.onTimeout))
        }
    }

    /// This element with its condition false for the saga at hand.
    func disabled() -> BoundStep {
        var copy = self
        copy.isEnabled = false
        return copy
    }
}

/// An action step, made once per definition.
///
/// A class, so that handing a step around (the decider and the runner look steps up many times per decision)
/// costs one reference, not a copy of its policies and closures.
final class BoundAction: Sendable {
    let retryPolicy: RetryPolicy
    let timeout: Duration
    let stuckWhenExhausted: Bool
    let compensation: BoundCompensation?
    let run: @Sendable (StepExecution) async throws -> JSONValue

    init<Input: Codable & Sendable>(action: ActionStep<Input>) {
        self.retryPolicy = action.retryPolicy
        self.timeout = action.timeout
        self.stuckWhenExhausted = action.stuckWhenExhausted
        self.compensation = action.compensation.map { BoundCompensation(compensation: $0) }
        let body = action.action
        self.run = { execution in
            try await body(
                StepContext(
                    sagaId: execution.sagaId,
                    stepName: execution.name,
                    attempt: execution.attempt,
                    idempotencyKey: execution.idempotencyKey,
                    fence: execution.fence,
                    input: execution.input as! Input,
                    logger: execution.logger,
                    results: execution.results,
                    deferral: execution.deferral
                ))
        }
    }
}

/// A compensation, made once per definition.
struct BoundCompensation: Sendable {
    let name: String
    let retryPolicy: RetryPolicy
    let timeout: Duration
    let run: @Sendable (CompensationExecution) async throws -> Void

    init<Input: Codable & Sendable>(compensation: Compensation<Input>) {
        self.name = compensation.name
        self.retryPolicy = compensation.retryPolicy
        self.timeout = compensation.timeout
        let body = compensation.action
        self.run = { execution in
            try await body(
                CompensationContext(
                    sagaId: execution.sagaId,
                    compensationName: execution.name,
                    stepName: execution.stepName,
                    attempt: execution.attempt,
                    idempotencyKey: execution.idempotencyKey,
                    stepIdempotencyKey: execution.stepIdempotencyKey,
                    fence: execution.fence,
                    stepResult: execution.stepResult,
                    cause: execution.cause,
                    input: execution.input as! Input,
                    logger: execution.logger,
                    results: execution.results
                ))
        }
    }
}

/// A signal wait, bound (a class for the same reason as ``BoundAction``).
final class BoundWait: Sendable {
    let signals: [String]
    let timeout: Duration?
    let onSignal: @Sendable (String, JSONValue) -> Result<JSONValue, StepError>
    let onTimeout: StepError?

    init(
        signals: [String], timeout: Duration?,
        onSignal: @escaping @Sendable (String, JSONValue) -> Result<JSONValue, StepError>,
        onTimeout: StepError?
    ) {
        self.signals = signals
        self.timeout = timeout
        self.onSignal = onSignal
        self.onTimeout = onTimeout
    }
}

/// Everything one attempt of a step needs at run time.
struct StepExecution: Sendable {
    let sagaId: String
    /// The saga's typed input.
    let input: any Sendable
    let name: String
    let attempt: Int
    let idempotencyKey: String
    let fence: AttemptFence
    let results: RecordedResults
    let logger: Logger
    /// Where the writes the step defers wait (nil: it may not defer any).
    let deferral: WriteDeferral?
}

/// Everything one attempt of a compensation needs at run time.
struct CompensationExecution: Sendable {
    let sagaId: String
    /// The saga's typed input.
    let input: any Sendable
    let name: String
    let stepName: String
    let attempt: Int
    let idempotencyKey: String
    let stepIdempotencyKey: String
    let fence: AttemptFence
    let stepResult: JSONValue?
    let cause: CompensationCause
    let results: RecordedResults
    let logger: Logger
}

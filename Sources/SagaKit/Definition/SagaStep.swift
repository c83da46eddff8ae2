import Foundation

/// One element of a saga definition: an action, a durable timer or a signal wait.
public enum SagaStep<Input: Codable & Sendable>: Sendable {
    /// A step that performs an effect.
    case action(ActionStep<Input>)
    /// A durable sleep.
    case timer(TimerStep<Input>)
    /// A durable wait for a signal.
    case signalWait(SignalWaitStep<Input>)

    /// The element's name.
    public var name: String {
        switch self {
        case .action(let step): step.name
        case .timer(let step): step.name
        case .signalWait(let step): step.name
        }
    }

    /// When the element runs: only for inputs this holds for (always when `nil`).
    var condition: (@Sendable (Input) -> Bool)? {
        switch self {
        case .action(let step): step.condition
        case .timer(let step): step.condition
        case .signalWait(let step): step.condition
        }
    }

    /// The element's kind.
    public var kind: SagaStepKind {
        switch self {
        case .action: .action
        case .timer: .timer
        case .signalWait: .signalWait
        }
    }
}

/// The kind of a saga element, as recorded in `StepScheduled` events.
public enum SagaStepKind: String, Codable, Sendable, Hashable {
    /// An ``ActionStep``.
    case action
    /// A ``TimerStep``.
    case timer
    /// A ``SignalWaitStep``.
    case signalWait
}

import Foundation

/// What the executor does after appending a decision.
enum SagaEffect: Sendable, Hashable {
    /// Run attempt `attempt` of action step `name`.
    case runStep(name: String, attempt: Int)
    /// Run attempt `attempt` of compensation `name`, which undoes `forStep`.
    case runCompensation(name: String, forStep: String, attempt: Int)
    /// Nothing to run now: release the saga until `until` (a retry, timer or deadline), or until a signal (`nil`).
    case park(until: Date?)
    /// The saga is terminal: release it for good (a revert signal may still wake a completed saga).
    case done

    /// Whether the effect keeps the saga's lease (an attempt runs).
    var runsAttempt: Bool {
        switch self {
        case .runStep, .runCompensation: true
        case .park, .done: false
        }
    }
}

/// The outcome of deciding: events to append (already applied to `state`) and the effect to carry out.
struct SagaDecision: Sendable {
    /// The events to append, in order, stamped with seq and time.
    var events: [HistoryEvent]
    /// The state with those events applied.
    var state: SagaState
    /// What to do next.
    var effect: SagaEffect
}

/// One indivisible decision: a few events and, when the decider must stop, an effect.
struct DecisionUnit: Sendable {
    var kinds: [HistoryEvent.Kind]
    var effect: SagaEffect?
    var consumesSignal = false

    static func effect(_ effect: SagaEffect, _ kinds: [HistoryEvent.Kind] = []) -> DecisionUnit {
        DecisionUnit(kinds: kinds, effect: effect)
    }

    static func proceed(_ kinds: [HistoryEvent.Kind]) -> DecisionUnit {
        DecisionUnit(kinds: kinds, effect: nil)
    }
}

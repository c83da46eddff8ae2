import Foundation

/// Builds the ordered steps of a ``SagaDefinition`` from a list of step expressions.
@resultBuilder
public enum SagaStepsBuilder<Input: Codable & Sendable> {
    /// An action step.
    public static func buildExpression(_ step: ActionStep<Input>) -> [SagaStep<Input>] { [.action(step)] }
    /// A timer.
    public static func buildExpression(_ step: TimerStep<Input>) -> [SagaStep<Input>] { [.timer(step)] }
    /// A signal wait.
    public static func buildExpression(_ step: SignalWaitStep<Input>) -> [SagaStep<Input>] { [.signalWait(step)] }
    /// Any element.
    public static func buildExpression(_ step: SagaStep<Input>) -> [SagaStep<Input>] { [step] }
    /// Several elements.
    public static func buildExpression(_ steps: [SagaStep<Input>]) -> [SagaStep<Input>] { steps }
    /// The elements in order.
    public static func buildBlock(_ parts: [SagaStep<Input>]...) -> [SagaStep<Input>] { parts.flatMap { $0 } }
    /// Elements behind an `if`.
    public static func buildOptional(_ part: [SagaStep<Input>]?) -> [SagaStep<Input>] { part ?? [] }
    /// The first branch of an `if`/`else`.
    public static func buildEither(first part: [SagaStep<Input>]) -> [SagaStep<Input>] { part }
    /// The second branch of an `if`/`else`.
    public static func buildEither(second part: [SagaStep<Input>]) -> [SagaStep<Input>] { part }
    /// Elements from a `for` loop.
    public static func buildArray(_ parts: [[SagaStep<Input>]]) -> [SagaStep<Input>] { parts.flatMap { $0 } }
}

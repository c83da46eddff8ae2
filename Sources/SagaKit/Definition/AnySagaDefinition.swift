import Foundation

/// A saga definition with its input type erased: what a ``SagaRegistry`` holds and the engine runs.
public struct AnySagaDefinition: Sendable {
    /// The definition's name.
    public let name: String
    /// The definition's version.
    public let version: Int
    /// The ordered elements, described.
    public let steps: [SagaStepDescriptor]
    let template: BoundSaga.Template

    /// Erases `definition`.
    public init<Input: Codable & Sendable>(_ definition: SagaDefinition<Input>) {
        self.name = definition.name
        self.version = definition.version
        self.steps = definition.steps.map(SagaStepDescriptor.init)
        self.template = BoundSaga.Template(definition)
    }

    /// The definition bound to one saga's input (conditions evaluated, actions capturing the typed input).
    func bind(input: JSONValue) throws -> BoundSaga { try template.bind(inputJSON: input) }
}

/// A description of one element of a definition.
public struct SagaStepDescriptor: Sendable, Hashable {
    /// The element's name.
    public let name: String
    /// The element's kind.
    public let kind: SagaStepKind
    /// The name of its compensation, if it has one.
    public let compensation: String?

    init<Input>(_ step: SagaStep<Input>) {
        self.name = step.name
        self.kind = step.kind
        if case .action(let action) = step {
            self.compensation = action.compensation?.name
        } else {
            self.compensation = nil
        }
    }
}

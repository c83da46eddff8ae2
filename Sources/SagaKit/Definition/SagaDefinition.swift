import Foundation

/// A named, versioned saga: ordered steps, each with its compensation, retry policy and timeout.
///
/// A saga started on a version finishes on that version, even after a newer one is registered.
///
/// ```swift
/// let definition = SagaDefinition<OrderInput>(name: "order", version: 1) {
///     ActionStep("ReserveInventory") { context in try await stock.reserve(context.input) }
///         .compensate("ReleaseInventory") { context in try await stock.release(context.input) }
///     SignalWaitStep("AwaitApproval", continueOn: ["approve"], timeout: .seconds(86_400), onTimeout: nil)
///         .when { $0.needsApproval }
///     ActionStep("ChargePayment") { context in try await payments.charge(context.input) }
/// }
/// try registry.register(definition)
/// ```
public struct SagaDefinition<Input: Codable & Sendable>: Sendable {
    /// The definition's name.
    public let name: String
    /// The definition's version (≥ 1).
    public let version: Int
    /// The ordered elements.
    public let steps: [SagaStep<Input>]

    /// Creates a definition from an array of elements.
    public init(name: String, version: Int, steps: [SagaStep<Input>]) {
        self.name = name
        self.version = version
        self.steps = steps
    }

    /// Creates a definition from a list of step expressions.
    public init(name: String, version: Int, @SagaStepsBuilder<Input> steps: () -> [SagaStep<Input>]) {
        self.init(name: name, version: version, steps: steps())
    }

    /// Checks the definition: a name, a version ≥ 1, unique step and compensation names,
    /// and signal waits that accept at least one signal, none of them a reserved name (``SagaSignal``).
    public func validate() throws(SagaDefinitionError) {
        guard !name.isEmpty else { throw .emptyName }
        guard version >= 1 else { throw .invalidVersion(version) }
        var seen: Set<String> = []
        for step in steps {
            var names = [step.name]
            if case .action(let action) = step, let compensation = action.compensation {
                names.append(compensation.name)
            }
            for name in names {
                guard !name.isEmpty else { throw .emptyStepName }
                guard seen.insert(name).inserted else { throw .duplicateName(name) }
            }
            if case .signalWait(let wait) = step {
                guard !wait.signals.isEmpty else { throw .waitWithoutSignals(wait.name) }
                if let reserved = wait.signals.first(where: SagaSignal.reserved.contains) {
                    throw .reservedSignal(step: wait.name, signal: reserved)
                }
            }
        }
    }

    /// The type-erased form kept by a ``SagaRegistry``.
    public var erased: AnySagaDefinition { AnySagaDefinition(self) }
}

/// Why a definition was refused.
public enum SagaDefinitionError: Error, Sendable, Hashable {
    /// The definition has no name.
    case emptyName
    /// The version is below 1.
    case invalidVersion(Int)
    /// A step or compensation has no name.
    case emptyStepName
    /// Two steps or compensations share a name.
    case duplicateName(String)
    /// A signal wait accepts no signal.
    case waitWithoutSignals(String)
    /// A signal wait accepts a name the engine reserves (cancel, retry, revert).
    case reservedSignal(step: String, signal: String)
    /// A definition with this name and version is already registered.
    case alreadyRegistered(name: String, version: Int)
}

/// The signal names the engine reserves for itself.
public enum SagaSignal {
    /// Stops forward progress and compensates; the saga ends CANCELLED.
    public static let cancel = "cancel"
    /// Resumes a STUCK saga's compensation with a fresh attempt budget.
    public static let retry = "retry"
    /// Compensates a COMPLETED saga; it ends REVERTED.
    public static let revert = "revert"
    /// All reserved names.
    public static let reserved: Set<String> = [cancel, retry, revert]
}

import Foundation

/// Whether a signal, cancel, retry or revert applies to a saga as it stands (an API answers 409 when not).
public enum SagaCommandOutcome: Sendable, Hashable {
    /// Recorded in the saga's inbox (or already requested and pending); the saga acts on it.
    case accepted
    /// It does not apply to a saga with this status (a cancel during compensation is still recorded, with no effect).
    case notApplicable(SagaStatus)
    /// The wait this signal would answer already has its answer, signal `by`, pending: nothing was recorded.
    case waitAnswered(by: String)
    /// No saga has this id.
    case notFound
}

/// Why the engine refused a request.
public enum SagaEngineError: Error, Sendable, Hashable {
    /// The definition (name, version) is not in the engine's registry.
    case definitionNotRegistered(name: String, version: Int)
    /// The input does not fit the definition.
    case invalidInput(String)
    /// The engine is shutting down or stopped.
    case shuttingDown
    /// ``SagaEngine/run()`` is already running.
    case alreadyRunning
}

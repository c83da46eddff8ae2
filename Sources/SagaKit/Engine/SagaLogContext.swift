import Logging

/// The saga, step and attempt a log line is about, carried as a task-local value and added to every line by a
/// metadata provider: the engine copies no logger per saga or attempt (setting a handler's metadata is costly).
enum SagaLogContext {
    /// What the running code works on.
    struct Scope: Sendable {
        var sagaId: String
        var step: String?
        var attempt: Int?
    }

    @TaskLocal static var current: Scope?

    /// Adds `sagaId`, `step` and `attempt` of the current scope to a line's metadata.
    static let provider = Logger.MetadataProvider {
        guard let scope = current else { return [:] }
        var metadata: Logger.Metadata = ["sagaId": "\(scope.sagaId)"]
        if let step = scope.step { metadata["step"] = "\(step)" }
        if let attempt = scope.attempt { metadata["attempt"] = "\(attempt)" }
        return metadata
    }

    /// `logger` with the provider added to its handler's own.
    static func adding(to logger: Logger) -> Logger {
        var logger = logger
        logger.handler.metadataProvider =
            logger.handler.metadataProvider.map { .multiplex([$0, provider]) } ?? provider
        return logger
    }
}

/// A live feed of every saga's summary changes (status, step, attempt), resumable from an opaque position.
///
/// What a console's live list follows: one batch of summaries per short interval in which sagas changed, each batch
/// with the position to resume after it.
public protocol SagaSummaryFeed: Sendable {
    /// The changes after `position` (a batch's ``SagaSummaryChanges/position``), or from now when `nil`.
    ///
    /// When the feed can no longer resume from `position` (too old, or not one it issued), it first yields
    /// ``SagaSummaryChanges/reset``: the caller reloads what it shows, then applies the changes that follow.
    func summaryChanges(after position: String?) -> AsyncThrowingStream<SagaSummaryChanges, any Error>
}

/// What a ``SagaSummaryFeed`` yields.
public enum SagaSummaryChanges: Sendable, Hashable {
    /// Changes were missed: reload.
    case reset
    /// These sagas changed; their summaries as read after the changes, and where to resume after them.
    case changed([SagaSummary], position: String?)
}

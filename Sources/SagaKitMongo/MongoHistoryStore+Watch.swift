import Foundation
import SagaKit

extension MongoHistoryStore {
    /// Every event after `seq`, in order, as it is recorded; finishes once the saga is terminal and all were yielded.
    ///
    /// Watchers of one saga share its reads (``SagaWatchHub``): the events after the furthest-behind watcher are
    /// read when the saga's document changes (this process's appends, or the shared change stream), when a watcher
    /// joins, and otherwise only every `watchPollInterval`.
    public func watch(sagaId: String, after seq: Int64) -> AsyncThrowingStream<HistoryEvent, any Error> {
        watchers.watch(sagaId: sagaId, after: seq)
    }
}

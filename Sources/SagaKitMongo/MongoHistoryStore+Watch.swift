import Foundation
import SagaKit

extension MongoHistoryStore {
    /// Every event after `seq`, in order, as it is recorded; finishes once the saga is terminal and all were yielded.
    ///
    /// Reads the events after the last one yielded whenever the saga's document changes (notified by
    /// this process's appends or by the shared change stream), and at least every `watchPollInterval`.
    public func watch(sagaId: String, after seq: Int64) -> AsyncThrowingStream<HistoryEvent, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                let subscription = changes.subscribe(to: sagaId)
                defer { changes.unsubscribe(subscription) }
                var last = seq
                do {
                    while !Task.isCancelled {
                        let (events, status) = try await eventsAndStatus(sagaId: sagaId, after: last)
                        for event in events {
                            continuation.yield(event)
                            last = event.seq
                        }
                        if status.isTerminal {
                            continuation.finish()
                            return
                        }
                        await changes.wait(subscription, timeout: watchPollInterval)
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}

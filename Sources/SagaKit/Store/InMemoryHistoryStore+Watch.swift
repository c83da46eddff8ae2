import Foundation

extension InMemoryHistoryStore {
    /// The saga's events after `seq` as they are recorded, until it is terminal (see ``HistoryStore/watch(sagaId:after:)``).
    public nonisolated func watch(sagaId: String, after seq: Int64) -> AsyncThrowingStream<HistoryEvent, any Error> {
        let (stream, continuation) = AsyncThrowingStream<HistoryEvent, any Error>.makeStream()
        let watcherId = UUID()
        continuation.onTermination = { [weak self] _ in
            Task { await self?.removeWatcher(sagaId: sagaId, id: watcherId) }
        }
        Task { await self.addWatcher(sagaId: sagaId, id: watcherId, after: seq, continuation: continuation) }
        return stream
    }

    private func addWatcher(
        sagaId: String,
        id: UUID,
        after seq: Int64,
        continuation: AsyncThrowingStream<HistoryEvent, any Error>.Continuation
    ) {
        guard let record = sagas[sagaId] else {
            continuation.finish(throwing: HistoryStoreError.notFound(sagaId: sagaId))
            return
        }
        var watcher = Watcher(continuation: continuation, lastYielded: seq)
        guard Self.deliver(record, to: &watcher) else { return }
        watchers[sagaId, default: [:]][id] = watcher
    }

    private func removeWatcher(sagaId: String, id: UUID) {
        watchers[sagaId]?[id] = nil
        if watchers[sagaId]?.isEmpty == true { watchers[sagaId] = nil }
    }

    /// Yields the record's new events to every watcher of it; finishes those that reached a terminal status.
    func notifyWatchers(of record: SagaRecord) {
        guard var active = watchers[record.id] else { return }
        for (id, var watcher) in active {
            if Self.deliver(record, to: &watcher) {
                active[id] = watcher
            } else {
                active[id] = nil
            }
        }
        watchers[record.id] = active.isEmpty ? nil : active
    }

    /// Yields the events the watcher has not seen; returns `false` when the stream finished.
    private static func deliver(_ record: SagaRecord, to watcher: inout Watcher) -> Bool {
        for event in record.events where event.seq > watcher.lastYielded {
            if case .terminated = watcher.continuation.yield(event) { return false }
            watcher.lastYielded = event.seq
        }
        if record.status.isTerminal {
            watcher.continuation.finish()
            return false
        }
        return true
    }
}

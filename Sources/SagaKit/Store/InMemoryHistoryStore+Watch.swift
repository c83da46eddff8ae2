import Foundation

extension InMemoryHistoryStore {
    /// The saga's events after `seq` as they are recorded, until it is terminal (see ``HistoryStore/watch(sagaId:after:)``).
    public func watch(sagaId: String, after seq: Int64) -> AsyncThrowingStream<HistoryEvent, any Error> {
        let (stream, continuation) = AsyncThrowingStream<HistoryEvent, any Error>.makeStream()
        let watcherId = UUID()
        // Removal runs on a task of its own: termination may come from inside the lock (a delivery that finishes).
        continuation.onTermination = { [weak self] _ in
            Task { self?.state.withLock { $0.removeWatcher(sagaId: sagaId, id: watcherId) } }
        }
        state.withLock { state in
            guard let record = state.sagas[sagaId] else {
                continuation.finish(throwing: HistoryStoreError.notFound(sagaId: sagaId))
                return
            }
            var watcher = Watcher(continuation: continuation, lastYielded: seq)
            guard State.deliver(record, to: &watcher) else { return }
            state.watchers[sagaId, default: [:]][watcherId] = watcher
        }
        return stream
    }
}

extension InMemoryHistoryStore.State {
    mutating func removeWatcher(sagaId: String, id: UUID) {
        watchers[sagaId]?[id] = nil
        if watchers[sagaId]?.isEmpty == true { watchers[sagaId] = nil }
    }

    /// Yields the record's new events to every watcher of it; finishes those that reached a terminal status.
    mutating func notifyWatchers(of record: SagaRecord) {
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
    static func deliver(_ record: SagaRecord, to watcher: inout InMemoryHistoryStore.Watcher) -> Bool {
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

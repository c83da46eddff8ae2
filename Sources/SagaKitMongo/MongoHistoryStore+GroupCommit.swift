import Metrics
import Mongo

extension MongoHistoryStore {
    /// The group commit of history writes: starts and appends of concurrent sagas share bulk writes.
    enum GroupCommit {
        /// Writes submitted (`saga_history_appends_total`).
        static let appendsCounter = Counter(label: "saga_history_appends_total")
        /// Bulk writes that carried them (`saga_history_append_writes_total`); fewer than appends under load.
        static let writesCounter = Counter(label: "saga_history_append_writes_total")
        /// Writes per bulk write (`saga_history_append_batch_size`).
        static let batchSize = Recorder(label: "saga_history_append_batch_size", aggregate: true)

        /// The batcher of starts and appends that follow business writes, publishing the metrics above.
        static func groupBatcher(client: MongoClient, writeConcern: WriteConcern?, maxInFlight: Int)
            -> WriteGroupBatcher
        {
            WriteGroupBatcher(client: client, writeConcern: writeConcern, maxInFlight: maxInFlight) { size in
                appendsCounter.increment(by: size)
                writesCounter.increment()
                batchSize.record(size)
            }
        }

        /// The batcher of `sagas`, publishing the metrics above.
        static func batcher(for sagas: MongoCollection<Document>, maxInFlight: Int) -> WriteBatcher<Document> {
            WriteBatcher(sagas, maxInFlight: maxInFlight) { size in
                appendsCounter.increment(by: size)
                writesCounter.increment()
                batchSize.record(size)
            }
        }
    }
}

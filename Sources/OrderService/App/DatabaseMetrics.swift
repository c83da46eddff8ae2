import Metrics
import Mongo
import Synchronization

/// Publishes the database clients' own counters as metrics, just before `/metrics` is read.
///
/// * `mongo_operations_total{client}`: a counter of operations (round trips) so far
/// * `mongo_operations_in_flight{client}`: a gauge of operations running now
///
/// The clients count for themselves; each publication adds what they counted since the last one.
final class DatabaseMetrics: Sendable {
    private let clients: [(name: String, client: MongoClient)]
    private let published = Mutex<[String: Int]>([:])

    /// Publishes `business` and `history` separately, or as `all` when they are one client.
    init(business: MongoClient, history: MongoClient) {
        clients = history === business ? [("all", business)] : [("business", business), ("history", history)]
    }

    /// Brings the metrics up to date with the clients' counters.
    func publish() {
        for (name, client) in clients {
            let snapshot = client.diagnostics
            let added = published.withLock { last in
                defer { last[name] = max(last[name, default: 0], snapshot.blockingCalls) }
                return snapshot.blockingCalls - last[name, default: 0]
            }
            let dimensions = [("client", name)]
            if added > 0 { Counter(label: "mongo_operations_total", dimensions: dimensions).increment(by: added) }
            Gauge(label: "mongo_operations_in_flight", dimensions: dimensions).record(snapshot.inFlight)
        }
    }
}

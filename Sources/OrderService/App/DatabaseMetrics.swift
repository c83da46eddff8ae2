import Metrics
import Mongo
import Synchronization

/// Publishes the database clients' own counters as metrics, just before `/metrics` is read.
///
/// * `mongo_operations_total{client}`: a counter of operations (round trips) so far
/// * `mongo_operations_in_flight{client}`: a gauge of operations running now
/// * `mongo_commands_total{database,command}`: a counter of the commands the drivers sent, from libmongoc's command
///   monitoring (a bulk write is one per kind and batch, a cursor's `getMore` one each); the drivers' own commands
///   (`ping`, `hello`, authentication, `endSessions`) are left out
/// * `mongo_write_operations_total{database,command}`: a counter of the write operations the `insert`, `update` and
///   `delete` commands carried (an insert's documents, an update's or a delete's statements: a bulk write of 4
///   updates is 4); a command the driver retries counts again in both counters
///
/// The clients count for themselves; each publication adds what they counted since the last one.
final class DatabaseMetrics: Sendable {
    private let clients: [(name: String, client: MongoClient)]
    private let published = Mutex<[String: Int]>([:])
    private let publishedCommands = Mutex<[String: [CommandCounts.Key: Int]]>([:])

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
        publishCommands()
    }

    /// Adds the commands sent and the write operations they carried since the last publication to
    /// `mongo_commands_total` and `mongo_write_operations_total`, summed over the clients.
    private func publishCommands() {
        let snapshots = clients.map(\.client.commandCounts)
        publish("mongo_commands_total", snapshots.map(\.byDatabaseAndCommand))
        publish("mongo_write_operations_total", snapshots.map(\.writesByDatabaseAndCommand))
    }

    /// Adds to the counter `label` what `counts` (one per client) grew by since its last publication.
    private func publish(_ label: String, _ counts: [[CommandCounts.Key: Int]]) {
        var current: [CommandCounts.Key: Int] = [:]
        for (key, count) in counts.joined() where !CommandCounts.driverOverhead.contains(key.command) {
            current[key, default: 0] += count
        }
        let added = publishedCommands.withLock { published in
            let last = published[label, default: [:]]
            published[label] = last.merging(current) { max($0, $1) }
            return current.compactMap { key, count in
                count > last[key, default: 0] ? (key, count - last[key, default: 0]) : nil
            }
        }
        for (key, count) in added {
            Counter(label: label, dimensions: [("database", key.database), ("command", key.command)])
                .increment(by: count)
        }
    }
}

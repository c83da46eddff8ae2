import CMongoc
import Synchronization

/// Counts every command the driver sends, by database, command name and target collection, and the write operations
/// each write command carries.
///
/// libmongoc reports each command it starts through its command-monitoring (APM) callbacks, on the thread that
/// sends it (one of the client's pool threads), with a bulk write's operations as the command's array; the counts
/// live behind a mutex. Server monitoring (heartbeats) and
/// connection handshakes are not commands in this sense: libmongoc never reports them here.
///
/// ```swift
/// let counts = client.commandCounts
/// let updates = counts.total(database: "orders", command: "update")
/// ```
final class CommandMonitor: Sendable {
    private let counts = Mutex<(commands: [CommandCounts.Key: Int], writes: [CommandCounts.Key: Int])>(([:], [:]))

    init() {}

    /// The counts so far.
    var snapshot: CommandCounts {
        let (commands, writes) = counts.withLock { $0 }
        return CommandCounts(counts: commands, writes: writes)
    }

    /// Installs the callbacks on `pool`; the monitor must outlive it (the client holds both).
    func install(on pool: OpaquePointer) {
        guard let callbacks = mongoc_apm_callbacks_new() else { return }
        defer { mongoc_apm_callbacks_destroy(callbacks) }
        mongoc_apm_set_command_started_cb(callbacks) { event in
            guard let event, let context = mongoc_apm_command_started_get_context(event) else { return }
            Unmanaged<CommandMonitor>.fromOpaque(context).takeUnretainedValue().record(event)
        }
        // The pool copies the callbacks, so they can be destroyed at once.
        mongoc_client_pool_set_apm_callbacks(pool, callbacks, Unmanaged.passUnretained(self).toOpaque())
    }

    /// Counts one started command.
    private func record(_ event: OpaquePointer) {
        let command = mongoc_apm_command_started_get_command_name(event).map { String(cString: $0) } ?? ""
        let body = mongoc_apm_command_started_get_command(event)
        // A bulk write across collections runs on `admin`: it counts for the databases it writes to.
        let database =
            (command == "bulkWrite" ? body.flatMap(Self.bulkWriteDatabases) : nil)
            ?? mongoc_apm_command_started_get_database_name(event).map { String(cString: $0) } ?? ""
        let collection = body.flatMap { Self.collection(of: command, in: $0) }
        let writes = body.flatMap { Self.writeOperations(of: command, in: $0) }
        let key = CommandCounts.Key(database: database, command: command, collection: collection)
        counts.withLock {
            $0.commands[key, default: 0] += 1
            if let writes { $0.writes[key, default: 0] += writes }
        }
    }

    /// The array of operations each write command carries.
    private static let writeArrays = [
        "insert": "documents", "update": "updates", "delete": "deletes", "bulkWrite": "ops",
    ]

    /// How many operations a write command carries (an insert's documents, an update's or a delete's statements, a
    /// `bulkWrite`'s writes across collections); nil for other commands.
    private static func writeOperations(of command: String, in document: OpaquePointer) -> Int? {
        guard let field = writeArrays[command] else { return nil }
        return LibBSON.withScratchIterator { iterator in
            guard bson_iter_init_find(iterator, document, field), bson_iter_type(iterator) == BSON_TYPE_ARRAY else {
                return nil
            }
            return LibBSON.withScratchIterator { element in
                guard bson_iter_recurse(iterator, element) else { return nil }
                var count = 0
                while bson_iter_next(element) { count += 1 }
                return count
            }
        }
    }

    /// The databases a `bulkWrite` writes to, in order of name and joined by `+` (`orders+saga_history`).
    private static func bulkWriteDatabases(in document: OpaquePointer) -> String? {
        LibBSON.withScratchIterator { iterator in
            guard bson_iter_init_find(iterator, document, "nsInfo"), bson_iter_type(iterator) == BSON_TYPE_ARRAY else {
                return nil
            }
            return LibBSON.withScratchIterator { entry in
                guard bson_iter_recurse(iterator, entry) else { return nil }
                var databases: Set<String> = []
                while bson_iter_next(entry) {
                    let namespace = LibBSON.withScratchIterator { field -> String? in
                        guard bson_iter_recurse(entry, field), bson_iter_find(field, "ns"),
                            bson_iter_type(field) == BSON_TYPE_UTF8, let value = bson_iter_utf8(field, nil)
                        else { return nil }
                        return String(cString: value)
                    }
                    if let namespace, let dot = namespace.firstIndex(of: ".") {
                        databases.insert(String(namespace[..<dot]))
                    }
                }
                return databases.isEmpty ? nil : databases.sorted().joined(separator: "+")
            }
        }
    }

    /// Commands whose first element names the collection they act on.
    private static let collectionCommands: Set<String> = [
        "insert", "update", "delete", "find", "findAndModify", "aggregate", "count", "distinct", "createIndexes",
        "dropIndexes", "listIndexes", "drop", "create",
    ]

    /// The collection a command targets: its first element's string value (`getMore`: its `collection` field).
    private static func collection(of command: String, in document: OpaquePointer) -> String? {
        guard command == "getMore" || collectionCommands.contains(command) else { return nil }
        return LibBSON.withScratchIterator { iterator in
            if command == "getMore" {
                guard bson_iter_init_find(iterator, document, "collection") else { return nil }
            } else {
                guard bson_iter_init(iterator, document), bson_iter_next(iterator) else { return nil }
            }
            guard bson_iter_type(iterator) == BSON_TYPE_UTF8, let value = bson_iter_utf8(iterator, nil) else {
                return nil
            }
            return String(cString: value)
        }
    }
}

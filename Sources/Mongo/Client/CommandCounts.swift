/// A snapshot of the commands a client has sent, by database, command name and target collection, and of the write
/// operations they carried.
public struct CommandCounts: Sendable, Hashable {
    /// What a count is kept by.
    public struct Key: Sendable, Hashable, Comparable {
        /// The database the command ran in.
        public var database: String
        /// The command's name (`insert`, `update`, `findAndModify`, `getMore`, …).
        public var command: String
        /// The collection it targets, for commands that name one.
        public var collection: String?

        /// Creates a key.
        public init(database: String, command: String, collection: String? = nil) {
            self.database = database
            self.command = command
            self.collection = collection
        }

        public static func < (lhs: Key, rhs: Key) -> Bool {
            (lhs.database, lhs.command, lhs.collection ?? "") < (rhs.database, rhs.command, rhs.collection ?? "")
        }
    }

    /// Commands a client sends for itself rather than for the application's operations: connection checks,
    /// authentication, session clean-up. Metrics leave them out.
    public static let driverOverhead: Set<String> = [
        "hello", "isMaster", "ismaster", "ping", "endSessions", "saslStart", "saslContinue", "authenticate",
        "buildInfo", "getnonce",
    ]

    /// The count of each key seen so far.
    public var counts: [Key: Int]
    /// The write operations the commands of each write key carried: an insert's documents, an update's or a
    /// delete's statements (a bulk write of 4 updates is one command and 4 operations).
    public var writes: [Key: Int]

    /// Creates a snapshot from counts.
    public init(counts: [Key: Int] = [:], writes: [Key: Int] = [:]) {
        self.counts = counts
        self.writes = writes
    }

    /// How many commands matched (every database, command or collection where one is nil).
    public func total(database: String? = nil, command: String? = nil, collection: String? = nil) -> Int {
        counts.reduce(0) { sum, entry in
            let key = entry.key
            guard database.map({ $0 == key.database }) ?? true, command.map({ $0 == key.command }) ?? true,
                collection.map({ $0 == key.collection }) ?? true
            else { return sum }
            return sum + entry.value
        }
    }

    /// The counts by database and command, collections summed over.
    public var byDatabaseAndCommand: [Key: Int] { Self.byDatabaseAndCommand(counts) }

    /// The write operations by database and command, collections summed over.
    public var writesByDatabaseAndCommand: [Key: Int] { Self.byDatabaseAndCommand(writes) }

    /// What was counted since `earlier`.
    public func subtracting(_ earlier: CommandCounts) -> CommandCounts {
        CommandCounts(counts: Self.difference(counts, earlier.counts), writes: Self.difference(writes, earlier.writes))
    }

    private static func byDatabaseAndCommand(_ counts: [Key: Int]) -> [Key: Int] {
        counts.reduce(into: [:]) { result, entry in
            result[Key(database: entry.key.database, command: entry.key.command), default: 0] += entry.value
        }
    }

    private static func difference(_ counts: [Key: Int], _ earlier: [Key: Int]) -> [Key: Int] {
        counts.reduce(into: [:]) { result, entry in
            let added = entry.value - (earlier[entry.key] ?? 0)
            if added != 0 { result[entry.key] = added }
        }
    }
}

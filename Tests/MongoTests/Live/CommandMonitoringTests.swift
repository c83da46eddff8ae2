import Mongo
import MongoTesting
import Testing

/// The client's command counts, from libmongoc's command monitoring, against the live test deployment.
@Suite("Command monitoring against the live server")
struct CommandMonitoringTests {
    @Test("an insert, an update, a find and an unordered bulk write are counted by database, command and collection")
    func countsCommandsByDatabaseAndCommand() async throws {
        let client = try TestDeployment.client()
        try await TestDeployment.withDatabase(prefix: "monitoring") { database in
            let items = database.collection("items")
            let before = client.commandCounts
            try await items.insertOne(["_id": "a", "quantity": 1])
            try await items.updateOne(filter: ["_id": "a", "quantity": 1], update: ["$inc": ["quantity": 1]])
            #expect(try await items.findOne(["_id": "a"])?["quantity"]?.int64Value == 2)
            // libmongoc sends one command per run of writes of one kind, in the order given even when unordered:
            // insert, update, insert, delete are four commands.
            try await items.bulkWrite(
                [
                    .insertOne(["_id": "b", "quantity": 1]),
                    .updateOne(filter: ["_id": "a"], update: ["$inc": ["quantity": 1]]),
                    .insertOne(["_id": "c", "quantity": 1]),
                    .deleteOne(filter: ["_id": "b"]),
                ], ordered: false)
            let sent = client.commandCounts.subtracting(before)
            let name = database.name

            #expect(sent.total(database: name, command: "insert") == 3)
            #expect(sent.total(database: name, command: "update") == 2)
            #expect(sent.total(database: name, command: "delete") == 1)
            #expect(sent.total(database: name, command: "find") == 1)
            #expect(sent.total(database: name) == 7)
            #expect(sent.total(database: name, collection: "items") == 7)
            #expect(sent.byDatabaseAndCommand[CommandCounts.Key(database: name, command: "insert")] == 3)
            #expect(sent.counts[CommandCounts.Key(database: name, command: "update", collection: "items")] == 2)
            #expect(sent.writesByDatabaseAndCommand[CommandCounts.Key(database: name, command: "insert")] == 3)
            #expect(sent.writesByDatabaseAndCommand[CommandCounts.Key(database: name, command: "find")] == nil)
        }
    }

    @Test("a write command carries its operations: one insert of four documents, one update of four statements")
    func countsTheOperationsABulkWriteCarries() async throws {
        let client = try TestDeployment.client()
        try await TestDeployment.withDatabase(prefix: "monitoring") { database in
            let items = database.collection("items")
            let before = client.commandCounts
            try await items.insertMany((0..<4).map { ["_id": .string("i\($0)"), "quantity": 1] })
            try await items.bulkWrite(
                (0..<4).map { .updateOne(filter: ["_id": .string("i\($0)")], update: ["$inc": ["quantity": 1]]) },
                ordered: false)
            try await items.deleteOne(filter: ["_id": "i0"])
            let sent = client.commandCounts.subtracting(before)
            let insert = CommandCounts.Key(database: database.name, command: "insert", collection: "items")
            let update = CommandCounts.Key(database: database.name, command: "update", collection: "items")
            let delete = CommandCounts.Key(database: database.name, command: "delete", collection: "items")

            #expect(sent.counts[insert] == 1)
            #expect(sent.writes[insert] == 4)
            #expect(sent.counts[update] == 1)
            #expect(sent.writes[update] == 4)
            #expect(sent.writes[delete] == 1)
        }
    }

    @Test("a command run on the database is counted without a collection; ping counts as driver overhead")
    func countsDatabaseCommands() async throws {
        let client = try TestDeployment.client()
        try await TestDeployment.withDatabase(prefix: "monitoring") { database in
            let before = client.commandCounts
            _ = try await database.runCommand(["ping": 1])
            let sent = client.commandCounts.subtracting(before)
            #expect(sent.counts[CommandCounts.Key(database: database.name, command: "ping")] == 1)
            #expect(CommandCounts.driverOverhead.contains("ping"))
            #expect(!CommandCounts.driverOverhead.contains("update"))
        }
    }
}

import Mongo

extension MongoDatabase {
    /// The collection `name` with the database's write concern, or majority and journaled when it has none:
    /// every business write is durable before the step that made it reports success.
    func durableCollection<T: Codable & Sendable>(_ name: String, as type: T.Type) -> MongoCollection<T> {
        collection(name, as: type).withWriteConcern(writeConcern ?? .majority)
    }

    /// Group commit for the durable collection `name`: the writes of concurrent sagas share bulk writes.
    func durableWrites<T: Codable & Sendable>(_ name: String, as type: T.Type) -> WriteBatcher<T> {
        WriteBatcher(durableCollection(name, as: type))
    }
}

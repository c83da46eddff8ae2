import Foundation
import Mongo
import Synchronization

/// The MongoDB deployment integration tests run against, named by `MONGODB_URI`.
///
/// `Scripts/test.sh` starts a local server and sets the variable; against a real `mongod`,
/// set it yourself. Each test works in a database of its own, dropped when it ends:
///
/// ```swift
/// try await TestDeployment.withDatabase { database in
///     let items = database.collection("items")
///     …
/// }
/// ```
public enum TestDeployment {
    /// Why a test cannot reach its deployment.
    public struct NotConfigured: Error, CustomStringConvertible {
        public var description: String {
            "MONGODB_URI is not set: run the tests with Scripts/test.sh, or set it to a MongoDB deployment"
        }
    }

    private static let sharedClient = Mutex<MongoClient?>(nil)

    /// The deployment's connection string.
    public static func uri() throws -> String {
        guard let uri = ProcessInfo.processInfo.environment["MONGODB_URI"], !uri.isEmpty else {
            throw NotConfigured()
        }
        return uri
    }

    /// One client shared by the tests of this process.
    public static func client() throws -> MongoClient {
        let uri = try uri()
        return try sharedClient.withLock { client in
            if let client { return client }
            let created = try MongoClient(uri, options: MongoClientOptions(threads: 32, maxConnections: 128))
            client = created
            return created
        }
    }

    /// A name no other test uses.
    public static func uniqueName(_ prefix: String = "test") -> String {
        "\(prefix)_\(UUID().uuidString.prefix(8).lowercased())"
    }

    /// Runs `body` with a database of its own, dropped afterwards (also when `body` throws).
    public static func withDatabase<T: Sendable>(
        prefix: String = "test", _ body: (MongoDatabase) async throws -> T
    ) async throws -> T {
        let database = try client().database(uniqueName(prefix))
        do {
            let result = try await body(database)
            try? await database.drop()
            return result
        } catch {
            try? await database.drop()
            throw error
        }
    }
}

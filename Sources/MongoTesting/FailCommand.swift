import Foundation
import Mongo

/// The server's `failCommand` fail point, aimed at one client by its application name, so that tests running
/// beside it on the same server are not touched.
///
/// The server has one such fail point: ``withIsolatedClient(_:)`` lets one test at a time in this process use it.
///
/// ```swift
/// try await FailCommand.withIsolatedClient { client, faults in
///     try await faults.writeConcernError(on: ["update"], times: 2)
///     …
/// }
/// ```
public struct FailCommand: Sendable {
    /// The application name the fail point matches.
    public let appName: String
    let client: MongoClient

    /// Runs `body` with a new client of the test deployment that has an application name of its own and the fail
    /// point aimed at it, while no other test of this process uses the fail point; closes the client after.
    public static func withIsolatedClient<T: Sendable>(
        _ body: (MongoClient, FailCommand) async throws -> T
    ) async throws -> T {
        await turn.acquire()
        let appName = TestDeployment.uniqueName("faults")
        let uri = try TestDeployment.uri()
        let separator = uri.contains("?") ? "&" : "?"
        let client: MongoClient
        do {
            client = try MongoClient(uri + separator + "appname=" + appName)
        } catch {
            await turn.release()
            throw error
        }
        let faults = FailCommand(appName: appName, client: client)
        do {
            let result = try await body(client, faults)
            try? await faults.off()
            await client.shutdown()
            await turn.release()
            return result
        } catch {
            try? await faults.off()
            await client.shutdown()
            await turn.release()
            throw error
        }
    }

    private static let turn = Turn()

    /// One holder at a time, in arrival order.
    private actor Turn {
        private var held = false
        private var waiting: [CheckedContinuation<Void, Never>] = []

        func acquire() async {
            guard held else {
                held = true
                return
            }
            await withCheckedContinuation { waiting.append($0) }
        }

        func release() {
            if waiting.isEmpty { held = false } else { waiting.removeFirst().resume() }
        }
    }

    /// The next `times` of `commands` apply but answer with a write-concern error (as after a failover or a
    /// `wtimeout`: the write may not survive).
    public func writeConcernError(on commands: [String], times: Int) async throws {
        try await configure(
            times: times, commands: commands,
            data: [
                "writeConcernError": [
                    "code": 64, "codeName": "WriteConcernFailed", "errmsg": "waiting for replication timed out",
                    "errInfo": ["wtimeout": true],
                ]
            ])
    }

    /// The next `times` of `commands` close the connection without an answer (whether they applied is unknown).
    public func networkError(on commands: [String], times: Int) async throws {
        try await configure(times: times, commands: commands, data: ["closeConnection": true])
    }

    /// The next `times` of `commands` fail with the server error `code` (such as 286, `ChangeStreamHistoryLost`, on
    /// a change stream's `getMore`).
    public func commandError(on commands: [String], code: Int, times: Int) async throws {
        try await configure(times: times, commands: commands, data: ["errorCode": .int32(Int32(code))])
    }

    /// Turns the fail point off.
    public func off() async throws {
        _ = try await client.database("admin").runCommand(["configureFailPoint": "failCommand", "mode": "off"])
    }

    private func configure(times: Int, commands: [String], data: Document) async throws {
        var settings = data
        settings["failCommands"] = .array(commands.map(BSONValue.string))
        settings["appName"] = .string(appName)
        _ = try await client.database("admin").runCommand([
            "configureFailPoint": "failCommand", "mode": ["times": .int32(Int32(times))], "data": .document(settings),
        ])
    }
}

import ArgumentParser
import Foundation
import OrderSagaClient

/// Where the service is and the key to show it: `--url`/`--key`, else `ORDER_SAGA_URL`/`ORDER_SAGA_KEY`.
struct ConnectionOptions: ParsableArguments {
    /// The service's URL when neither `--url` nor `ORDER_SAGA_URL` gives one.
    static let defaultURL = "http://127.0.0.1:8080"

    @Option(help: ArgumentHelp("The service's URL (ORDER_SAGA_URL; default \(defaultURL)).", valueName: "url"))
    var url: String?

    @Option(help: ArgumentHelp("The API key or bearer token (ORDER_SAGA_KEY).", valueName: "key"))
    var key: String?

    /// The URL to use.
    var resolvedURL: String {
        url ?? ProcessInfo.processInfo.environment["ORDER_SAGA_URL"].flatMap { $0.isEmpty ? nil : $0 }
            ?? Self.defaultURL
    }

    /// The key to send, if any.
    var resolvedKey: String? {
        key ?? ProcessInfo.processInfo.environment["ORDER_SAGA_KEY"]
    }

    /// Runs `body` with a client of the service, shut down afterwards.
    func withClient<T: Sendable>(_ body: (OrderSagaClient) async throws -> T) async throws -> T {
        try await OrderSagaClient.withClient(baseURL: resolvedURL, key: resolvedKey, body)
    }
}

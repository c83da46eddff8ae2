import ArgumentParser
import Foundation
import Logging
import OrderService

/// `order-saga serve` (the default): the order service. Configured by environment variables; the flags override them.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Runs the order saga service (REST API, saga engine); the default.",
        discussion: "Configuration comes from the environment (see README.md); these flags override it.")

    @Option(help: "Listen address (HOST).") var host: String?
    @Option(help: "Listen port (PORT).") var port: Int?
    @Option(help: "Business documents' deployment (MONGODB_URI).") var mongodbURI: String?
    @Option(help: "Saga history's deployment (HISTORY_MONGODB_URI).") var historyMongodbURI: String?
    @Option(help: "This instance's name in leases (INSTANCE_ID).") var instanceId: String?
    @Option(help: "Log level (LOG_LEVEL).") var logLevel: String?

    func run() async throws {
        var environment = ProcessInfo.processInfo.environment
        MallocArenas.capUnlessConfigured(environment: environment)
        environment["HOST"] = host ?? environment["HOST"]
        environment["PORT"] = port.map(String.init) ?? environment["PORT"]
        environment["MONGODB_URI"] = mongodbURI ?? environment["MONGODB_URI"]
        environment["HISTORY_MONGODB_URI"] = historyMongodbURI ?? environment["HISTORY_MONGODB_URI"]
        environment["INSTANCE_ID"] = instanceId ?? environment["INSTANCE_ID"]
        environment["LOG_LEVEL"] = logLevel ?? environment["LOG_LEVEL"]

        let configuration: ServiceConfiguration
        do {
            configuration = try ServiceConfiguration.fromEnvironment(environment)
        } catch {
            throw ValidationError("\(error)")
        }
        let companions = try Observability.bootstrap(environment: environment, logLevel: configuration.logLevel)
        let logger = Logger(label: "order-saga")
        let service = try OrderServiceApplication(
            configuration: configuration, logger: logger, companions: companions
        ) { port in
            print("order-saga listening on http://\(configuration.host):\(port) (instance \(configuration.instanceId))")
            fflush(nil)
        }
        if let key = service.generatedOperatorKey {
            print("API_KEYS is not set; development operator key: \(key)")
            fflush(nil)
        }
        do {
            try await service.run()
        } catch {
            // Most often the address: already in use, or not one of this host's.
            logger.critical(
                "order-saga stopped on an error (listen address \(configuration.host):\(configuration.port))",
                metadata: ["error": "\(error)"])
            throw ExitCode.failure
        }
    }
}

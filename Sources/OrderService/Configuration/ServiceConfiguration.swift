import Foundation
import Logging
import Mongo
import Orders
import SagaKit

/// Everything the service reads from its environment (see the README's configuration table).
public struct ServiceConfiguration: Sendable {
    /// The HTTP listen address.
    public var host: String
    /// The HTTP port (0 picks a free one).
    public var port: Int
    /// The business documents' deployment.
    public var mongoURI: String
    /// The business documents' database.
    public var mongoDatabase: String
    /// The saga history's deployment (may be another cluster).
    public var historyURI: String
    /// The saga history's database.
    public var historyDatabase: String
    /// Where the providers are.
    public var providers: ProviderEndpoints
    /// The order saga's rules and step policies.
    public var saga: OrderSagaSettings
    /// This process's name in leases.
    public var instanceId: String
    /// `API_KEYS` as given, or nil for a generated development operator key.
    public var apiKeys: String?
    /// `AUTH_ROLES` as given: custom roles as sets of actions, `name=action,action;name=…`.
    public var authRoles: String?
    /// Bearer JWTs from an OIDC provider (`AUTH_ISSUER`, `AUTH_AUDIENCE`, `AUTH_JWKS_URL` or `AUTH_JWKS_FILE`, …);
    /// nil: API keys only.
    public var tokens: TokenAuthentication?
    /// How long a saga's lease lasts without renewal (takeover after a crash waits this long).
    public var leaseDuration: Duration
    /// How often the engine looks for due timers and abandoned sagas.
    public var pollInterval: Duration
    /// The most sagas this process runs at once.
    public var maxConcurrentSagas: Int
    /// The log level.
    public var logLevel: Logger.Level
    /// How long a connection may sit without a complete request (or idle between requests) before it is
    /// closed; this also drops clients that send a request too slowly. Long responses (event streams) are exempt.
    public var httpIdleTimeout: Duration
    /// How long after its placement an order whose saga did not start counts as interrupted and gets its saga.
    public var placementRecoveryGrace: Duration
    /// How long a write waits for a majority's acknowledgement (`wtimeout`) before it fails as unavailable.
    public var writeTimeout: Duration
    /// How long the per-order stock markers of settled orders stay on product documents.
    public var inventoryRetention: Duration
    /// How many event streams one API key may hold open at once (429 beyond).
    public var streamsPerKey: Int
    /// The business database's collection whose inserted documents become orders (`INTAKE_COLLECTION`); nil: off.
    public var intakeCollection: String?
    /// Whether a step's business writes go in one command with its history append (`STEP_WRITES_WITH_HISTORY`),
    /// where both stores are one deployment that takes writes across collections (MongoDB 8.0).
    public var stepWritesWithHistory: Bool

    /// Whether the history store is asked to make the steps' business writes: on, and the stores share a deployment.
    public var historyTakesStepWrites: Bool { stepWritesWithHistory && historyURI == mongoURI }

    /// The durable write concern with the configured `wtimeout`: majority, journaled.
    public var writeConcern: WriteConcern { WriteConcern(.majority, journal: true, timeout: writeTimeout) }

    /// Why the environment does not describe a valid configuration.
    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    /// The configuration from environment variables, with the documented defaults.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> ServiceConfiguration
    {
        func value(_ name: String) -> String? {
            guard let text = environment[name]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
            return text
        }
        func integer(_ name: String, default fallback: Int, range: ClosedRange<Int>) throws -> Int {
            guard let text = value(name) else { return fallback }
            guard let number = Int(text), range.contains(number) else {
                throw Invalid(description: "\(name) must be an integer from \(range.lowerBound) to \(range.upperBound)")
            }
            return number
        }
        func flag(_ name: String, default fallback: Bool) throws -> Bool {
            guard let text = value(name) else { return fallback }
            guard let flag = ["true": true, "false": false][text.lowercased()] else {
                throw Invalid(description: "\(name) must be true or false")
            }
            return flag
        }
        func duration(_ name: String, default fallback: Duration) throws -> Duration {
            guard let text = value(name) else { return fallback }
            guard let parsed = DurationText.parse(text), parsed > .zero else {
                throw Invalid(description: "\(name) must be a duration such as 30s, 500ms or 5m")
            }
            return parsed
        }
        let sandboxPort = try integer("SANDBOX_PORT", default: 8090, range: 1...65535)
        let sandbox = "http://127.0.0.1:\(sandboxPort)"
        let mongoURI = value("MONGODB_URI") ?? "mongodb://127.0.0.1:27117/?replicaSet=secantus&retryWrites=false"
        let saga: OrderSagaSettings
        do {
            saga = try OrderSagaSettings.defaults.applying(environment: environment)
        } catch {
            throw Invalid(description: "\(error)")
        }
        let writeTimeout = try duration("WRITE_TIMEOUT", default: .seconds(10))
        let inventoryRetention = try duration("INVENTORY_RETENTION", default: .seconds(30))
        // An attempt older than the retention is refused when it creates a stock marker (and retried): a live
        // attempt of a step that creates one, or one of its writes, must fit in half of it.
        let bounds =
            [OrderSagaStep.reserveInventory, OrderSagaStep.releaseInventory].map {
                ("STEP_TIMEOUT_\($0)", saga.settings(for: $0).timeout)
            } + [("WRITE_TIMEOUT", writeTimeout)]
        if let (name, longest) = bounds.max(by: { $0.1 < $1.1 }), inventoryRetention < longest * 2 {
            throw Invalid(
                description:
                    "INVENTORY_RETENTION must be at least twice the longest of the stock steps' timeouts and "
                    + "WRITE_TIMEOUT (\(name): \(Int(longest / .milliseconds(1)))ms)")
        }
        let levelText = value("LOG_LEVEL") ?? "info"
        guard let logLevel = Logger.Level(rawValue: levelText) else {
            throw Invalid(description: "LOG_LEVEL must be one of trace, debug, info, notice, warning, error, critical")
        }
        return ServiceConfiguration(
            host: value("HOST") ?? "127.0.0.1",
            port: try integer("PORT", default: 8080, range: 0...65535),
            mongoURI: mongoURI,
            mongoDatabase: value("MONGODB_DATABASE") ?? "orders",
            historyURI: value("HISTORY_MONGODB_URI") ?? mongoURI,
            historyDatabase: value("HISTORY_DATABASE") ?? "saga_history",
            providers: ProviderEndpoints(
                payments: value("PAYMENTS_URL") ?? sandbox, shipping: value("SHIPPING_URL") ?? sandbox,
                notify: value("NOTIFY_URL") ?? sandbox),
            saga: saga,
            instanceId: value("INSTANCE_ID") ?? SagaEngine.Configuration.defaultInstanceId(),
            apiKeys: value("API_KEYS"),
            authRoles: value("AUTH_ROLES"),
            tokens: try TokenAuthentication.fromEnvironment(value),
            leaseDuration: try duration("LEASE_DURATION", default: .seconds(30)),
            pollInterval: try duration("POLL_INTERVAL", default: .seconds(1)),
            maxConcurrentSagas: try integer(
                "MAX_CONCURRENT_SAGAS", default: SagaEngine.Configuration.defaultMaxConcurrentSagas, range: 1...100_000),
            logLevel: logLevel,
            httpIdleTimeout: try duration("HTTP_IDLE_TIMEOUT", default: .seconds(20)),
            placementRecoveryGrace: try duration("PLACEMENT_RECOVERY_GRACE", default: .seconds(30)),
            writeTimeout: writeTimeout,
            inventoryRetention: inventoryRetention,
            streamsPerKey: try integer("STREAMS_PER_KEY", default: 16, range: 1...10_000),
            intakeCollection: try value("INTAKE_COLLECTION").map(intakeCollectionName),
            stepWritesWithHistory: try flag("STEP_WRITES_WITH_HISTORY", default: true))
    }

    /// The collections the service keeps its own documents in, which the intake may not be.
    static let businessCollections: Set<String> = [
        "orders", "products", "payments", "shipments", "settled_stock", "audit",
    ]

    /// `name` when it is a collection name the intake may follow: 1 to 120 characters, letters, digits, `_`, `-` and
    /// `.`, starting with a letter or `_`, not a `system.` collection nor one of the service's own.
    static func intakeCollectionName(_ name: String) throws -> String {
        let legal =
            name.utf8.count <= 120 && !name.hasPrefix("system.") && !name.hasSuffix(".") && !name.contains("..")
            && name.unicodeScalars.first.map { $0 == "_" || ($0.isASCII && $0.properties.isAlphabetic) } == true
            && name.unicodeScalars.allSatisfy {
                $0.isASCII
                    && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_-.".unicodeScalars.contains($0))
            }
        guard legal else {
            throw Invalid(
                description: "INTAKE_COLLECTION must be a collection name: 1 to 120 letters, digits, '_', '-' or '.', "
                    + "starting with a letter or '_', not a system collection; got \"\(name)\"")
        }
        guard !businessCollections.contains(name) else {
            throw Invalid(description: "INTAKE_COLLECTION must not be one of the service's own collections (\(name))")
        }
        return name
    }
}

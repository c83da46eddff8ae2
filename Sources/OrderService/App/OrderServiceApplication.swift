import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdCore
import Identity
import Logging
import Metrics
import Mongo
import NIOCore
import Orders
import SagaKit
import SagaKitMongo
import ServiceLifecycle

/// Builds the order service: its stores, the order system and engine, the HTTP API, and the services
/// that run beside the server (engine, placement recovery, orderly closing of clients).
///
/// ```swift
/// let configuration = try ServiceConfiguration.fromEnvironment()
/// let service = try OrderServiceApplication(configuration: configuration, logger: logger)
/// try await service.application.runService()
/// ```
public struct OrderServiceApplication: Sendable {
    /// The wired order business (engine included).
    public let orders: OrderSystem
    /// The saga history store.
    public let history: MongoHistoryStore
    /// The order intake, when `INTAKE_COLLECTION` is set.
    public let intake: OrderIntake?
    /// The key to print when `API_KEYS` was not set (a development operator key), else nil.
    public let generatedOperatorKey: String?
    /// The Hummingbird application.
    let application: Application<RouterResponder<APIRequestContext>>

    /// Wires everything; nothing is contacted until the application runs.
    ///
    /// `companions` run beside the service and stop with it (an OpenTelemetry exporter, say).
    public init(
        configuration: ServiceConfiguration, logger: Logger, companions: [any Service] = [],
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws {
        // What the configuration may refuse is read first, before any client that needs shutting down exists.
        let keyText: String
        if let configured = configuration.apiKeys {
            keyText = configured
            generatedOperatorKey = nil
        } else {
            let key = APIKeys.developmentKey()
            keyText = "\(key):operator"
            generatedOperatorKey = key
        }
        let roles = try Role.table(parsing: configuration.authRoles ?? "")
        let keys = try APIKeys(parsing: keyText, roles: roles)
        // The metrics backend first: metrics made before it is installed (the intake's counters) would report nowhere.
        let metricsRegistry = MetricsBootstrap.registry
        let business = try MongoClient(configuration.mongoURI)
        let historyClient =
            configuration.historyURI == configuration.mongoURI
            ? business : try MongoClient(configuration.historyURI)
        let history = MongoHistoryStore(
            client: historyClient, databaseName: configuration.historyDatabase,
            writeConcern: configuration.writeConcern, takingOutcomeWrites: configuration.historyTakesStepWrites,
            logger: logger)
        // Room for every running saga's provider call at once (the providers may share one host), so that no attempt
        // spends its timeout waiting for a connection.
        let http = HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: HTTPClient.Configuration(
                timeout: .init(connect: .seconds(2), read: .seconds(30)),
                connectionPool: .init(
                    idleTimeout: .seconds(60),
                    concurrentHTTP1ConnectionsPerHostSoftLimit: max(64, configuration.maxConcurrentSagas))))
        let tokens: TokenVerifier?
        do {
            tokens = try configuration.tokens.map { tokens in
                let source =
                    switch tokens.keys {
                    case .url(let url): KeySetSource(url: url, http: http, logger: logger)
                    case .document(let json): try KeySetSource(document: json, logger: logger)
                    }
                return TokenVerifier(settings: tokens.settings, keys: source)
            }
        } catch {
            try? http.syncShutdown()
            throw error
        }
        let engineConfiguration = SagaEngine.Configuration(
            instanceId: configuration.instanceId, leaseDuration: configuration.leaseDuration,
            pollInterval: configuration.pollInterval, maxConcurrentSagas: configuration.maxConcurrentSagas,
            statusName: { OrderSagaStatus($0).rawValue },
            traceAttributes: { sagaId in OrderID(sagaId: sagaId).map { ["order.id": $0.rawValue] } ?? [:] })
        let orders: OrderSystem
        do {
            orders = try OrderSystem(
                database: business.database(configuration.mongoDatabase).withWriteConcern(configuration.writeConcern),
                history: history,
                providers: configuration.providers, http: http, settings: configuration.saga,
                engineConfiguration: engineConfiguration, logger: logger)
        } catch {
            try? http.syncShutdown()
            throw error
        }

        let intake = configuration.intakeCollection.map { collection in
            OrderIntake(
                orders: orders, collection: collection,
                positions: MongoStreamPositionStore(
                    client: historyClient, databaseName: configuration.historyDatabase,
                    writeConcern: configuration.writeConcern),
                rules: .placeOrder, logger: logger)
        }

        let preparation = StoresPreparation()
        let router = Router(context: APIRequestContext.self, options: .autoGenerateHeadEndpoints)
        router.add(middleware: TracingMiddleware())
        router.add(middleware: RequestMetricsMiddleware())
        router.add(middleware: ProblemMiddleware())
        var table = RouteTable()
        let operations = OperationsRoutes(
            checks: Self.readinessChecks(business: business, history: historyClient, preparation: preparation),
            metrics: metricsRegistry,
            beforeScrape: { [databaseMetrics = DatabaseMetrics(business: business, history: historyClient)] in
                databaseMetrics.publish()
            },
            isAcceptingWork: { orders.engine.isAcceptingWork },
            probeTimeout: .seconds(2))
        operations.addRoutes(to: router, table: &table)
        let api = OrderAPI(
            orders: orders, history: history, summaryFeed: history, commandLog: history,
            keepAliveInterval: .seconds(15),
            streams: StreamQuota(limit: configuration.streamsPerKey))
        api.addRoutes(
            to: router.group("/v1").add(middleware: StoresReadyMiddleware(preparation: preparation))
                .add(middleware: AuthenticationMiddleware(keys: keys, tokens: tokens, roles: roles)),
            table: &table)
        if let console = ConsoleAssets.bundled() {
            console.addRoutes(to: router, table: &table)
        } else {
            logger.warning("the console's files are not bundled; /console answers 404")
        }
        router.add(middleware: MethodNotAllowedMiddleware(routes: table))

        let clients = [business] + (historyClient === business ? [] : [historyClient])
        var services: [any Service] =
            companions + [
                ResourcesService {
                    try? await http.shutdown()
                    for client in clients { await client.shutdown() }
                },
                StoresPreparationService(history: history, orders: orders, preparation: preparation, logger: logger),
                EngineService(engine: orders.engine, preparation: preparation),
            ]
        if let intake { services.append(IntakeService(intake: intake, preparation: preparation)) }
        services += [
            PeriodicService(
                purpose: "look for interrupted placements",
                interval: min(configuration.placementRecoveryGrace, .seconds(15)), logger: logger
            ) { [grace = configuration.placementRecoveryGrace] in
                try await orders.resumeInterruptedPlacements(grace: grace)
            },
            // Every quarter of the retention: a product document carries at most 1.25 retentions' worth of settled
            // markers, and every write of stock re-sends it whole through the server's update path.
            PeriodicService(
                purpose: "prune settled stock markers",
                interval: min(configuration.inventoryRetention / 4, .seconds(300)), logger: logger
            ) { [retention = configuration.inventoryRetention] in
                let cutoff = Date().addingTimeInterval(-SagaTime.seconds(retention))
                try await orders.inventory.prune(settledBefore: cutoff)
            },
        ]
        let application = Application(
            router: router,
            server: .http1(
                configuration: HTTP1Channel.Configuration(
                    idleTimeout: TimeAmount(configuration.httpIdleTimeout),
                    httpDecoderConfiguration: .init(
                        maxHeaderFieldSize: 8 * 1024, maxHeaderListSize: 32 * 1024, maxHeaderFieldCount: 100))),
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port), serverName: "order-saga"),
            services: services,
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
            logger: logger)
        self.orders = orders
        self.history = history
        self.intake = intake
        self.application = application
    }

    /// Runs the service until SIGTERM or SIGINT, then shuts down gracefully: the server stops taking requests,
    /// the engine finishes its attempts in flight and releases its leases, and the clients close.
    public func run() async throws {
        try await application.runService()
    }

    /// Readiness: both stores answer a ping and have their indexes.
    static func readinessChecks(business: MongoClient, history: MongoClient, preparation: StoresPreparation)
        -> [OperationsRoutes.Check]
    {
        [
            OperationsRoutes.Check(name: "businessStore") { try await business.ping() },
            OperationsRoutes.Check(name: "historyStore") { try await history.ping() },
            OperationsRoutes.Check(name: "indexes") {
                guard preparation.isPrepared else { throw StoresNotPrepared() }
            },
        ]
    }
}

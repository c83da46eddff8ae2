import AsyncHTTPClient
import Foundation
import Logging
import Mongo
import SagaKit

/// The order business, wired: catalog, inventory, orders, payments, shipments, the providers, and the
/// saga engine that fulfils orders on the given history store.
///
/// ```swift
/// let orders = try OrderSystem(database: client.database("orders"), history: historyStore,
///                              providers: ProviderEndpoints(all: "http://127.0.0.1:8090"), http: .shared)
/// try await orders.prepare()
/// Task { try await orders.engine.run() }
/// let placed = try await orders.place(request, idempotencyKey: "k-1")
/// ```
public final class OrderSystem: Sendable {
    /// Products and stock.
    public let catalog: Catalog
    /// Stock reservations.
    public let inventory: Inventory
    /// Orders.
    public let orderBook: OrderBook
    /// Payments as the gateway answered.
    public let payments: PaymentRecords
    /// Shipments as the carrier answered.
    public let shipments: ShipmentRecords
    /// Who changed the catalog, when and why.
    public let audit: AuditLog
    /// The saga engine running order sagas.
    public let engine: SagaEngine
    /// Where saga histories live.
    public let history: any HistoryStore
    /// The saga's settings.
    public let settings: OrderSagaSettings
    /// The saga's definition (registered with the engine).
    public let definition: SagaDefinition<OrderSagaInput>
    let database: MongoDatabase
    let logger: Logger

    /// Wires the system; nothing is sent until it is used.
    public init(
        database: MongoDatabase,
        history: any HistoryStore,
        providers: ProviderEndpoints,
        http: HTTPClient,
        settings: OrderSagaSettings = .defaults,
        engineConfiguration: SagaEngine.Configuration = SagaEngine.Configuration(),
        logger: Logger = Logger(label: "orders")
    ) throws {
        self.database = database
        self.history = history
        self.settings = settings
        self.logger = logger
        catalog = Catalog(database: database)
        inventory = Inventory(database: database)
        orderBook = OrderBook(database: database)
        payments = PaymentRecords(database: database)
        shipments = ShipmentRecords(database: database)
        audit = AuditLog(database: database)
        let client = ProviderClient(http: http, requestTimeout: .seconds(30))
        let steps = OrderSagaSteps(
            orders: orderBook, inventory: inventory, payments: payments, shipments: shipments,
            gateway: PaymentGateway(client: client, baseURL: providers.payments),
            carrier: Carrier(client: client, baseURL: providers.shipping),
            mailer: Mailer(client: client, baseURL: providers.notify))
        definition = OrderSaga.definition(steps: steps, settings: settings)
        let registry = SagaRegistry()
        try registry.register(definition)
        engine = SagaEngine(store: history, registry: registry, configuration: engineConfiguration, logger: logger)
    }

    /// Creates the business collections' indexes (idempotent).
    public func prepare() async throws {
        try await database.collection("orders").createIndexes([
            // Sparse, not partial: every server serves the look-up from it (some planners ignore partial indexes).
            IndexModel(keys: ["idempotencyScope": 1], name: "idempotencyScope", unique: true, sparse: true),
            IndexModel(keys: ["customerId": 1, "_id": -1], name: "customer_id"),
            IndexModel(keys: ["sagaStartPending": 1, "placedAt": 1], name: "sagaStartPending", sparse: true),
        ])
        try await database.collection("audit").createIndexes([IndexModel(keys: ["at": -1, "_id": -1], name: "at_id")])
    }
}

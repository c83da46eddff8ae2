import Foundation
import Hummingbird
import Logging
import Orders
import SagaKit

/// The `/v1` API: products, orders, sagas and the live event stream.
struct OrderAPI: Sendable {
    let orders: OrderSystem
    let history: any HistoryStore
    /// Every saga's summary changes, for live lists.
    let summaryFeed: any SagaSummaryFeed
    /// The commands sagas received, for the audit trail.
    let commandLog: any SagaCommandLog
    /// How long the event stream waits between keep-alive comments.
    let keepAliveInterval: Duration
    /// Open event streams per caller.
    var streams = StreamQuota(limit: 16)

    /// Adds the routes under `/v1` to `router`, recording them in `table`.
    func addRoutes(to group: RouterGroup<APIRequestContext>, table: inout RouteTable) {
        func add(
            _ method: HTTPRequest.Method, _ path: String,
            _ handler: @escaping @Sendable (Request, APIRequestContext) async throws -> Response
        ) {
            group.on(RouterPath(path), method: method, use: handler)
            table.record(method, "/v1" + path)
        }
        add(.get, "/me", me)
        add(.post, "/products", putProduct)
        add(.get, "/products", listProducts)
        add(.get, "/products/{sku}", getProduct)
        add(.post, "/orders", placeOrder)
        add(.get, "/orders/{orderId}", getOrder)
        add(.get, "/orders/{orderId}/saga", getSaga)
        add(.get, "/orders/{orderId}/events", streamEvents)
        add(.post, "/orders/{orderId}/approve") { try await command($0, $1, action: .approve) }
        add(.post, "/orders/{orderId}/reject") { try await command($0, $1, action: .reject) }
        add(.post, "/orders/{orderId}/cancel") { try await command($0, $1, action: .cancel) }
        add(.post, "/orders/{orderId}/refund") { try await command($0, $1, action: .refund) }
        add(.post, "/orders/{orderId}/retry") { try await command($0, $1, action: .retry) }
        add(.get, "/sagas", listSagas)
        add(.get, "/sagas/stats", sagaStats)
        add(.get, "/sagas/changes", streamChanges)
        add(.post, "/sagas/retry", retrySagas)
        add(.get, "/audit", listAudit)
    }

    // MARK: Caller

    @Sendable func me(_ request: Request, context: APIRequestContext) async throws -> Response {
        guard let principal = context.principal else { throw Problem.status(.unauthorized, "an API key is required") }
        return try JSONResponse.make(CallerView(principal))
    }

    // MARK: Products

    @Sendable func putProduct(_ request: Request, context: APIRequestContext) async throws -> Response {
        let principal = try context.require(.productsWrite)
        var request = request
        let input = try ProductInput(json: try await request.jsonBody(context: context))
        let product = try await orders.putProduct(
            sku: input.sku, name: input.name, price: input.price, stock: input.stock,
            by: principal.attribution(reason: input.reason))
        return try JSONResponse.make(ProductView(product))
    }

    @Sendable func listProducts(_ request: Request, context: APIRequestContext) async throws -> Response {
        _ = try context.require(.productsRead)
        let page = try Self.productPage(request.uri.queryParameters)
        let found = try await orders.catalog.products(after: page.after, limit: page.limit + 1)
        let shown = found.prefix(page.limit)
        return try JSONResponse.make(
            ProductPageView(
                items: shown.map(ProductView.init), nextCursor: found.count > page.limit ? shown.last?.sku : nil))
    }

    @Sendable func getProduct(_ request: Request, context: APIRequestContext) async throws -> Response {
        _ = try context.require(.productsRead)
        let sku = try Self.skuParameter(context)
        guard let product = try await orders.catalog.product(sku) else { throw Problem.notFound("product \(sku)") }
        return try JSONResponse.make(ProductView(product))
    }

    // MARK: Orders

    @Sendable func placeOrder(_ request: Request, context: APIRequestContext) async throws -> Response {
        let principal = try context.require(.ordersPlace)
        let idempotencyKey = try Self.idempotencyKey(request.headers)
        var request = request
        let body = try OrderRequest(json: try await request.jsonBody(context: context))
        if let bound = principal.boundCustomerId, bound != body.customerId {
            throw Problem(
                type: Problem.typeBase + "forbidden", title: "Forbidden", status: .forbidden,
                detail: "this key places orders for customer \(bound) only")
        }
        let placement: Placement
        do {
            placement = try await orders.place(body, idempotencyKey: idempotencyKey)
        } catch let error as PlacementError {
            throw Self.problem(for: error)
        }
        var headers = HTTPFields()
        let order: Order
        switch placement {
        case .placed(let placed, _):
            order = placed
        case .replayed(let placed, _):
            order = placed
            headers[.idempotentReplayed] = "true"
        }
        headers[.location] = "/v1/orders/\(order.id.rawValue)"
        return try JSONResponse.make(PlacedOrderView(order), status: .accepted, headers: headers)
    }

    @Sendable func getOrder(_ request: Request, context: APIRequestContext) async throws -> Response {
        let order = try await visibleOrder(context, requiring: .ordersRead)
        async let record = history.load(sagaId: order.sagaId)
        async let payment = orders.payments.payment(orderId: order.id.rawValue)
        async let shipment = orders.shipments.shipment(orderId: order.id.rawValue)
        return try JSONResponse.make(
            OrderView(order: order, saga: try await record, payment: try await payment, shipment: try await shipment))
    }

    @Sendable func getSaga(_ request: Request, context: APIRequestContext) async throws -> Response {
        let order = try await visibleOrder(context, requiring: .ordersRead)
        guard let record = try await history.load(sagaId: order.sagaId) else {
            throw Problem.notFound("the saga of order \(order.id)")
        }
        let state = try SagaState.fold(record.events)
        let definition = orders.definition
        let limits =
            record.definitionName == definition.name && record.definitionVersion == definition.version
            ? definition.attemptLimits : [:]
        return try JSONResponse.make(
            SagaView(orderId: order.id.rawValue, record: record, state: state, attemptLimits: limits))
    }

    // MARK: Commands

    /// An operator's or customer's command on one order's saga.
    enum Action: String {
        case approve, reject, cancel, refund, retry

        /// What the caller must be allowed to do.
        var permission: APIAction {
            switch self {
            case .approve, .reject: .sagasApprove
            case .cancel: .sagasCancel
            case .refund: .sagasRefund
            case .retry: .sagasRetry
            }
        }
    }

    func command(_ request: Request, _ context: APIRequestContext, action: Action) async throws -> Response {
        let principal = try context.require(action.permission)
        var request = request
        let reason = try await Self.reason(in: request.optionalJSONBody(context: context))
        let attribution = principal.attribution(reason: reason)
        let order = try await visibleOrder(context, requiring: action.permission)
        let outcome: OrderCommandOutcome =
            switch action {
            case .approve: try await orders.approve(order, by: attribution)
            case .reject: try await orders.reject(order, by: attribution)
            case .cancel: try await orders.cancel(order, by: attribution)
            case .refund: try await orders.refund(order, by: attribution)
            case .retry: try await orders.retry(order, by: attribution)
            }
        switch outcome {
        case .accepted(let status):
            return try JSONResponse.make(
                CommandView(
                    orderId: order.id.rawValue, sagaId: order.sagaId, status: status, action: action.rawValue),
                status: .accepted)
        case .conflict(_, let reason):
            throw Problem.conflict(reason)
        case .notFound:
            throw Problem.notFound("the saga of order \(order.id)")
        }
    }

    /// The optional `reason` of a command's body, its only field; 422 names any other.
    static func reason(in body: JSONValue?) throws -> String? {
        guard let body else { return nil }
        let validator = BodyValidator()
        let reason = validator.reason(in: validator.object(body, at: "", allowed: ["reason"], required: false))
        guard validator.errors.isEmpty else { throw Problem.validation(validator.errors) }
        return reason
    }

    /// `POST /v1/sagas/retry`: retries every STUCK saga, up to `limit` (default 100) at a time.
    @Sendable func retrySagas(_ request: Request, context: APIRequestContext) async throws -> Response {
        let principal = try context.requireAllCustomers(.sagasRetry)
        var request = request
        let body = try await request.jsonBody(context: context)
        let validator = BodyValidator()
        let fields = validator.object(body, at: "", allowed: ["status", "reason", "limit"], required: true)
        let status = validator.string(fields?["status"], at: "status", rule: .text(maxLength: 32), required: true)
        if let status, status != OrderSagaStatus.stuck.rawValue {
            validator.fail("status", "must be STUCK: only a stuck saga can be retried")
        }
        let reason = validator.reason(in: fields)
        let limit = validator.integer(fields?["limit"], at: "limit", range: 1...500, required: false) ?? 100
        guard validator.errors.isEmpty else { throw Problem.validation(validator.errors) }
        let outcome = try await orders.retryStuck(limit: Int(limit), by: principal.attribution(reason: reason))
        return try JSONResponse.make(BatchRetryView(outcome))
    }

    // MARK: Sagas

    @Sendable func listSagas(_ request: Request, context: APIRequestContext) async throws -> Response {
        let principal = try context.require(.sagasRead)
        var listing = try Self.listRequest(request.uri.queryParameters)
        if let bound = principal.boundCustomerId {
            // A caller bound to one customer lists that customer's sagas, whatever it asked for.
            switch listing {
            case .customer(_, let before, let limit): listing = .customer(bound, before: before, limit: limit)
            case .all: throw Problem.validation([FieldError(field: "customerId", message: "must be \(bound)")])
            }
        }
        switch listing {
        case .all(let query):
            let page: SagaPage
            do {
                page = try await history.list(query)
            } catch HistoryStoreError.invalidRequest {
                throw Problem.validation([FieldError(field: "cursor", message: "is not a cursor this service issued")])
            }
            return try JSONResponse.make(
                SagaPageView(items: try await listItems(page.items), nextCursor: page.nextCursor))
        case .customer(let customerId, let before, let limit):
            let found = try await orders.orderBook.orders(customerId: customerId, before: before, limit: limit + 1)
            let shown = Array(found.prefix(limit))
            let summaries = try await history.summaries(sagaIds: shown.map(\.sagaId))
            let items = shown.compactMap { order in
                summaries[order.sagaId].map { SagaListItemView($0, order: order) }
            }
            return try JSONResponse.make(
                SagaPageView(items: items, nextCursor: found.count > limit ? shown.last?.id.rawValue : nil))
        }
    }

    /// The list's lines: each saga with its order's customer and total (one read of the orders not cached).
    func listItems(_ summaries: [SagaSummary]) async throws -> [SagaListItemView] {
        let ids = summaries.compactMap { OrderID(sagaId: $0.id) }
        let found = try await orders.orderBook.orders(ids)
        return summaries.map { summary in
            SagaListItemView(summary, order: OrderID(sagaId: summary.id).flatMap { found[$0] })
        }
    }

    @Sendable func sagaStats(_ request: Request, context: APIRequestContext) async throws -> Response {
        _ = try context.requireAllCustomers(.sagasRead)
        let counts = try await history.countsByStatus()
        var shown: [String: Int] = [:]
        for status in OrderSagaStatus.allCases { shown[status.rawValue] = counts[status.engineStatus] ?? 0 }
        return try JSONResponse.make(SagaStatsView(counts: shown, total: shown.values.reduce(0, +)))
    }
}

import Foundation
import Hummingbird
import Logging
import Orders
import SagaKit

/// The `/v1` API: products, orders, sagas and the live event stream.
struct OrderAPI: Sendable {
    let orders: OrderSystem
    let history: any HistoryStore
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
        add(.post, "/products", putProduct)
        add(.get, "/products/{sku}", getProduct)
        add(.post, "/orders", placeOrder)
        add(.get, "/orders/{orderId}", getOrder)
        add(.get, "/orders/{orderId}/saga", getSaga)
        add(.get, "/orders/{orderId}/events", streamEvents)
        add(.post, "/orders/{orderId}/approve") { try await command($0, $1, action: .approve) }
        add(.post, "/orders/{orderId}/reject") { try await command($0, $1, action: .reject) }
        add(.post, "/orders/{orderId}/cancel") { try await command($0, $1, action: .cancel) }
        add(.post, "/orders/{orderId}/refund") { try await command($0, $1, action: .refund) }
        add(.get, "/sagas", listSagas)
        add(.get, "/sagas/stats", sagaStats)
    }

    // MARK: Products

    @Sendable func putProduct(_ request: Request, context: APIRequestContext) async throws -> Response {
        _ = try context.require(.operator)
        var request = request
        let input = try ProductInput(json: try await request.jsonBody(context: context))
        let product = try await orders.catalog.put(
            sku: input.sku, name: input.name, price: input.price, stock: input.stock)
        return try JSONResponse.make(ProductView(product))
    }

    @Sendable func getProduct(_ request: Request, context: APIRequestContext) async throws -> Response {
        _ = try context.require(.customer)
        let sku = try Self.skuParameter(context)
        guard let product = try await orders.catalog.product(sku) else { throw Problem.notFound("product \(sku)") }
        return try JSONResponse.make(ProductView(product))
    }

    // MARK: Orders

    @Sendable func placeOrder(_ request: Request, context: APIRequestContext) async throws -> Response {
        let principal = try context.require(.customer)
        let idempotencyKey = try Self.idempotencyKey(request.headers)
        var request = request
        let body = try OrderRequest(json: try await request.jsonBody(context: context))
        if let bound = principal.boundCustomerId, principal.role == .customer, bound != body.customerId {
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
        let order = try await visibleOrder(context)
        let record = try await history.load(sagaId: order.sagaId)
        return try JSONResponse.make(OrderView(order: order, saga: record))
    }

    @Sendable func getSaga(_ request: Request, context: APIRequestContext) async throws -> Response {
        let order = try await visibleOrder(context)
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

    enum Action: String { case approve, reject, cancel, refund }

    func command(_ request: Request, _ context: APIRequestContext, action: Action) async throws -> Response {
        switch action {
        case .approve, .reject, .refund: _ = try context.require(.operator)
        case .cancel: _ = try context.require(.customer)
        }
        var request = request
        var reason: String?
        if let body = try await request.optionalJSONBody(context: context) {
            let validator = BodyValidator()
            let fields = validator.object(body, at: "", allowed: action == .cancel ? ["reason"] : [], required: false)
            reason = validator.string(fields?["reason"], at: "reason", rule: .text(maxLength: 256), required: false)
            guard validator.errors.isEmpty else { throw Problem.validation(validator.errors) }
        }
        let order = try await visibleOrder(context)
        let outcome: OrderCommandOutcome =
            switch action {
            case .approve: try await orders.approve(order)
            case .reject: try await orders.reject(order)
            case .cancel: try await orders.cancel(order, reason: reason)
            case .refund: try await orders.refund(order)
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

    // MARK: Sagas

    @Sendable func listSagas(_ request: Request, context: APIRequestContext) async throws -> Response {
        _ = try context.require(.operator)
        let query = try Self.listQuery(request.uri.queryParameters)
        let page: SagaPage
        do {
            page = try await history.list(query)
        } catch HistoryStoreError.invalidRequest {
            throw Problem.validation([FieldError(field: "cursor", message: "is not a cursor this service issued")])
        }
        return try JSONResponse.make(
            SagaPageView(items: page.items.map(SagaListItemView.init), nextCursor: page.nextCursor))
    }

    @Sendable func sagaStats(_ request: Request, context: APIRequestContext) async throws -> Response {
        _ = try context.require(.operator)
        let counts = try await history.countsByStatus()
        var shown: [String: Int] = [:]
        for status in OrderSagaStatus.allCases { shown[status.rawValue] = counts[status.engineStatus] ?? 0 }
        return try JSONResponse.make(SagaStatsView(counts: shown, total: shown.values.reduce(0, +)))
    }
}

import HTTPTypes
import Hummingbird
import Orders
import SagaKit

extension OrderAPI {
    /// The order named in the path, if this caller may do `action` and see it (another customer's order is 404).
    func visibleOrder(_ context: APIRequestContext, requiring action: APIAction) async throws -> Order {
        let principal = try context.require(action)
        let id = try Self.orderIdParameter(context)
        guard let order = try await orders.orderBook.order(id), principal.canAccess(customerId: order.customerId) else {
            throw Problem.notFound("order \(id)")
        }
        return order
    }

    /// The `{orderId}` path parameter; 422 unless it has the shape of an order id.
    static func orderIdParameter(_ context: APIRequestContext) throws(Problem) -> OrderID {
        let text = context.parameters.get("orderId") ?? ""
        guard let id = OrderID(text) else {
            throw Problem.validation([
                FieldError(field: "orderId", message: "must be an order id such as ord_01jd3k2x4q8m9v7t6r5p4n3b2a")
            ])
        }
        return id
    }

    /// The `{sku}` path parameter; 422 unless it has the shape of a SKU.
    static func skuParameter(_ context: APIRequestContext) throws(Problem) -> String {
        let sku = context.parameters.get("sku") ?? ""
        guard sku.utf8.count <= OrderRequest.Limits.identifier, BodyValidator.isIdentifier(sku) else {
            throw Problem.validation([
                FieldError(
                    field: "sku",
                    message: "must be letters, digits, '.', '_', ':' or '-', at most \(OrderRequest.Limits.identifier)")
            ])
        }
        return sku
    }

    /// The `Idempotency-Key` header: 1–255 visible ASCII characters, or absent.
    static func idempotencyKey(_ headers: HTTPFields) throws(Problem) -> String? {
        let values = headers[values: .idempotencyKey]
        guard let key = values.first else { return nil }
        guard values.count == 1, (1...255).contains(key.utf8.count), key.utf8.allSatisfy({ (0x21...0x7E).contains($0) })
        else {
            throw Problem.validation([
                FieldError(field: "Idempotency-Key", message: "must be 1 to 255 visible ASCII characters, sent once")
            ])
        }
        return key
    }

    /// What `GET /v1/sagas` asks for: a page of all sagas (optionally of one status), or of one customer's.
    enum SagaListRequest {
        /// Every customer's sagas, newest started first.
        case all(SagaListQuery)
        /// One customer's, newest placed first, after the order `before`.
        case customer(String, before: OrderID?, limit: Int)
    }

    /// `status`, `customerId`, `limit` and `cursor` of `GET /v1/sagas` (`status` and `customerId` exclude each
    /// other).
    static func listRequest(_ parameters: Parameters) throws(Problem) -> SagaListRequest {
        var errors: [FieldError] = []
        for name in ["status", "customerId", "limit", "cursor"] where parameters.getAll(name).count > 1 {
            errors.append(FieldError(field: name, message: "must be given at most once"))
        }
        var status: SagaStatus?
        if let text = parameters.get("status"), !text.isEmpty {
            if let shown = OrderSagaStatus(rawValue: text) {
                status = shown.engineStatus
            } else {
                let allowed = OrderSagaStatus.allCases.map(\.rawValue).joined(separator: ", ")
                errors.append(FieldError(field: "status", message: "must be one of \(allowed)"))
            }
        }
        let customerId = parameters.get("customerId").flatMap { $0.isEmpty ? nil : $0 }
        if let customerId {
            if customerId.utf8.count > OrderRequest.Limits.identifier || !BodyValidator.isIdentifier(customerId) {
                errors.append(FieldError(field: "customerId", message: "is not a customer id"))
            }
            if status != nil {
                errors.append(FieldError(field: "status", message: "cannot be combined with customerId"))
            }
        }
        let limit = pageLimit(parameters, errors: &errors)
        let cursor = parameters.get("cursor").flatMap { $0.isEmpty ? nil : $0 }
        let cursorIssued =
            cursor.map {
                $0.utf8.count <= 512 && (customerId == nil ? SagaListCursor(encoded: $0) != nil : OrderID($0) != nil)
            }
            ?? true
        if !cursorIssued { errors.append(FieldError(field: "cursor", message: "is not a cursor this service issued")) }
        guard errors.isEmpty else { throw Problem.validation(errors) }
        if let customerId { return .customer(customerId, before: cursor.flatMap { OrderID($0) }, limit: limit) }
        return .all(SagaListQuery(status: status, limit: limit, cursor: cursor))
    }

    /// `limit` and `cursor` (a SKU) of `GET /v1/products`.
    static func productPage(_ parameters: Parameters) throws(Problem) -> (after: String?, limit: Int) {
        var errors: [FieldError] = []
        for name in ["limit", "cursor"] where parameters.getAll(name).count > 1 {
            errors.append(FieldError(field: name, message: "must be given at most once"))
        }
        let limit = pageLimit(parameters, errors: &errors)
        let cursor = parameters.get("cursor").flatMap { $0.isEmpty ? nil : $0 }
        if let cursor, cursor.utf8.count > OrderRequest.Limits.identifier || !BodyValidator.isIdentifier(cursor) {
            errors.append(FieldError(field: "cursor", message: "is not a cursor this service issued"))
        }
        guard errors.isEmpty else { throw Problem.validation(errors) }
        return (cursor, limit)
    }

    /// The `limit` parameter of a paged list: 1 to 500, 50 when absent.
    static func pageLimit(_ parameters: Parameters, errors: inout [FieldError]) -> Int {
        guard let text = parameters.get("limit") else { return 50 }
        if let value = Int(text), (1...500).contains(value), String(value) == text { return value }
        errors.append(FieldError(field: "limit", message: "must be an integer from 1 to 500"))
        return 50
    }

    /// The answer to a placement the business refused.
    static func problem(for error: PlacementError) -> Problem {
        switch error {
        case .unknownSKUs(let skus):
            return .validation(
                skus.sorted { $0.key < $1.key }.map {
                    FieldError(field: "items[\($0.key)].sku", message: "is not in the catalog: \($0.value)")
                })
        case .mixedCurrencies:
            return .validation([FieldError(field: "items", message: "must all be priced in one currency")])
        case .idempotencyKeyReused:
            return .validation([
                FieldError(field: "Idempotency-Key", message: "was already used with a different request body")
            ])
        case .idempotencyKeyInFlight:
            return .conflict("a request with this Idempotency-Key is still being processed; retry shortly")
        }
    }
}

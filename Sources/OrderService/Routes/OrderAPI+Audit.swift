import Foundation
import Hummingbird
import Identity
import Orders
import SagaKit

extension OrderAPI {
    /// `GET /v1/audit?orderId=&limit=&cursor=`: who did what, newest first: the commands sagas received (from their
    /// histories) and the changes to the catalog (from the audit collection); with `orderId`, that order's commands.
    @Sendable func listAudit(_ request: Request, context: APIRequestContext) async throws -> Response {
        let principal = try context.require(.auditRead)
        let query = try Self.auditQuery(request.uri.queryParameters)
        var entries: [AuditEntryView]
        if let orderId = query.orderId {
            guard let order = try await orders.orderBook.order(orderId),
                principal.canAccess(customerId: order.customerId),
                let record = try await history.load(sagaId: order.sagaId)
            else { throw Problem.notFound("order \(orderId)") }
            entries = record.inbox.map { AuditEntryView(SagaCommandEntry(sagaId: record.id, signal: $0)) }
                .filter { entry in query.before.map { entry.position < $0 } ?? true }
        } else {
            _ = try context.requireAllCustomers(.auditRead)
            async let commands = commandLog.commands(before: query.before, limit: query.limit + 1)
            async let changes = orders.audit.changes(before: query.before, limit: query.limit + 1)
            entries = try await commands.map(AuditEntryView.init) + changes.map(AuditEntryView.init)
        }
        entries.sort { $1.position < $0.position }
        let page = Array(entries.prefix(query.limit))
        let next = entries.count > query.limit ? page.last.map { AuditCursor.encode($0.position) } : nil
        return try JSONResponse.make(AuditPageView(items: page, nextCursor: next))
    }

    /// The parameters of `GET /v1/audit`.
    struct AuditQuery {
        var orderId: OrderID?
        var before: SagaCommandPosition?
        var limit: Int
    }

    /// `orderId`, `limit` (1–500, 50) and `cursor` of `GET /v1/audit`.
    static func auditQuery(_ parameters: Parameters) throws(Problem) -> AuditQuery {
        var errors: [FieldError] = []
        for name in ["orderId", "limit", "cursor"] where parameters.getAll(name).count > 1 {
            errors.append(FieldError(field: name, message: "must be given at most once"))
        }
        var query = AuditQuery(limit: 50)
        if let text = parameters.get("orderId"), !text.isEmpty {
            query.orderId = OrderID(text)
            if query.orderId == nil { errors.append(FieldError(field: "orderId", message: "is not an order id")) }
        }
        query.limit = pageLimit(parameters, errors: &errors)
        if let text = parameters.get("cursor"), !text.isEmpty {
            query.before = AuditCursor.decode(text)
            if query.before == nil {
                errors.append(FieldError(field: "cursor", message: "is not a cursor this service issued"))
            }
        }
        guard errors.isEmpty else { throw Problem.validation(errors) }
        return query
    }
}

/// The `nextCursor` of `GET /v1/audit`: the last entry's time in milliseconds and id, base64url-encoded.
enum AuditCursor {
    static func encode(_ position: SagaCommandPosition) -> String {
        let text = "\(Int64((position.at.timeIntervalSince1970 * 1000).rounded()))|\(position.id)"
        return Base64URL.encode(Data(text.utf8))
    }

    static func decode(_ text: String) -> SagaCommandPosition? {
        guard text.utf8.count <= 512 else { return nil }
        guard let data = Base64URL.decode(text), let decoded = String(data: data, encoding: .utf8) else {
            return nil
        }
        let parts = decoded.split(separator: "|", maxSplits: 1)
        guard parts.count == 2, let millis = Int64(parts[0]), !parts[1].isEmpty else { return nil }
        return SagaCommandPosition(at: Date(timeIntervalSince1970: Double(millis) / 1000), id: String(parts[1]))
    }
}

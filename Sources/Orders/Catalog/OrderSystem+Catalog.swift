import Foundation
import Mongo

extension OrderSystem {
    /// Creates or replaces a catalog item (as ``Catalog/put(sku:name:price:stock:now:session:)``) and records the
    /// change, with who made it and why, in the audit trail: both in one transaction, so neither is stored alone.
    @discardableResult
    public func putProduct(
        sku: String, name: String, price: Money, stock: Int64, by attribution: CommandAttribution, now: Date = Date()
    ) async throws -> Product {
        let change = ProductChange(
            id: AuditLog.entryId(at: now), at: now, actor: attribution.actor, role: attribution.role,
            reason: attribution.reason, sku: sku, name: name, price: price, stock: stock)
        return try await database.client.withTransaction(readConcern: .majority) { session in
            let product = try await catalog.put(
                sku: sku, name: name, price: price, stock: stock, now: now, session: session)
            try await audit.record(change, session: session)
            return product
        }
    }
}

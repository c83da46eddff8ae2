import Foundation

extension OrderSystem {
    /// Creates or replaces a catalog item (as ``Catalog/put(sku:name:price:stock:now:)``) and records the change, with
    /// who made it and why, in the audit trail.
    @discardableResult
    public func putProduct(
        sku: String, name: String, price: Money, stock: Int64, by attribution: CommandAttribution, now: Date = Date()
    ) async throws -> Product {
        let product = try await catalog.put(sku: sku, name: name, price: price, stock: stock, now: now)
        try await audit.record(
            ProductChange(
                id: AuditLog.entryId(at: now), at: now, actor: attribution.actor, role: attribution.role,
                reason: attribution.reason, sku: sku, name: name, price: price, stock: stock))
        return product
    }
}

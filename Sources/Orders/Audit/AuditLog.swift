import Foundation
import Mongo
import SagaKit

/// A change to the catalog as the audit trail records it: who, in which role, why, and what they set.
public struct ProductChange: Codable, Sendable, Hashable {
    /// Sortable and unique: the time in milliseconds, zero-padded, then a random suffix.
    public var id: String
    /// When.
    public var at: Date
    /// Who (a key's fingerprint or a token's subject).
    public var actor: String
    /// In which role.
    public var role: String
    /// Why, if they said.
    public var reason: String?
    /// The product.
    public var sku: String
    /// What they set.
    public var name: String
    public var price: Money
    public var stock: Int64

    enum CodingKeys: String, CodingKey {
        case id = "_id"
        case at, actor, role, reason, sku, name, price, stock
    }

    /// Where the change sits in the trail.
    public var position: SagaCommandPosition { SagaCommandPosition(at: at, id: id) }
}

/// The `audit` collection: changes to the catalog, newest first through its `at_id` index. (Commands on sagas are
/// in their histories.)
public struct AuditLog: Sendable {
    let entries: MongoCollection<ProductChange>

    /// The collection in `database` (nothing is sent until used).
    public init(database: MongoDatabase) {
        entries = database.durableCollection("audit", as: ProductChange.self)
    }

    /// Records a change, within `session`'s transaction (which carries the write concern).
    func record(_ change: ProductChange, session: MongoSession) async throws {
        _ = try await entries.withWriteConcern(nil).insertOne(change, session: session)
    }

    /// Up to `limit` changes before `position` (all when `nil`), newest first.
    public func changes(before position: SagaCommandPosition?, limit: Int) async throws -> [ProductChange] {
        var filter: Document = [:]
        if let position {
            filter["$or"] = [
                ["at": ["$lt": .datetime(position.at)]],
                ["at": .datetime(position.at), "_id": ["$lt": .string(position.id)]],
            ]
        }
        return try await entries.find(
            filter,
            options: FindOptions(sort: ["at": -1, "_id": -1], limit: max(1, limit), hint: ["at": -1, "_id": -1])
        ).toArray()
    }

    /// A new entry id for a change made at `at`.
    static func entryId(at: Date) -> String {
        let millis = String(Int64(at.timeIntervalSince1970 * 1000))
        return String(repeating: "0", count: max(0, 15 - millis.count)) + millis + "-"
            + UUID().uuidString.lowercased().prefix(8)
    }
}

import Foundation
import Mongo
import SagaKit

/// An order's shipment as the carrier answered (collection `shipments`, one document per order).
public struct Shipment: Codable, Sendable, Hashable {
    /// Where the parcel stands.
    public enum Status: String, Codable, Sendable {
        /// The carrier has it.
        case created
        /// Called back before delivery.
        case cancelled
        /// Never created; the shipment key was voided so it can never be created later.
        case voided
    }

    /// The order.
    public var orderId: String
    /// The carrier's shipment id (absent when voided before any shipment).
    public var shipmentId: String?
    /// Where the parcel stands.
    public var status: Status
    /// When the carrier took it.
    public var createdAt: Date?
    /// When it was cancelled or voided.
    public var cancelledAt: Date?

    enum CodingKeys: String, CodingKey {
        case orderId = "_id"
        case shipmentId, status, createdAt, cancelledAt
    }
}

/// The `shipments` collection.
public struct ShipmentRecords: Sendable {
    let shipments: MongoCollection<Shipment>
    let writes: WriteBatcher<Shipment>

    /// The collections in `database` (nothing is sent until used).
    public init(database: MongoDatabase) {
        shipments = database.durableCollection("shipments", as: Shipment.self)
        writes = database.durableWrites("shipments", as: Shipment.self)
    }

    /// The order's shipment, or nil.
    public func shipment(orderId: String) async throws -> Shipment? {
        try await shipments.findOne(["_id": .string(orderId)])
    }

    /// Records a created shipment (idempotent: a repeat changes nothing once cancelled).
    func recordCreated(orderId: String, shipmentId: String, at: Date, fence: FencingToken) async throws {
        try await writes.fencedUpsert(id: orderId, fence: fence, update: Self.created(shipmentId: shipmentId, at: at))
    }

    /// The write of ``recordCreated(orderId:shipmentId:at:fence:)``, to be made with the step's outcome: refused when
    /// a later attempt wrote the shipment.
    func createdWrite(orderId: String, shipmentId: String, at: Date, fence: FencingToken) -> NamespacedWrite {
        NamespacedWrite(
            .fencedUpsert(id: orderId, fence: fence, update: Self.created(shipmentId: shipmentId, at: at)),
            in: shipments)
    }

    private static func created(shipmentId: String, at: Date) -> Document {
        [
            "$setOnInsert": [
                "shipmentId": .string(shipmentId), "status": .string(Shipment.Status.created.rawValue),
                "createdAt": .datetime(at),
            ]
        ]
    }

    /// Records a cancellation, or that nothing was shipped (the shipment key is void), as the carrier answered.
    func recordCancelled(orderId: String, shipped: Bool, at: Date, fence: FencingToken) async throws {
        let status: Shipment.Status = shipped ? .cancelled : .voided
        try await writes.fencedUpsert(
            id: orderId, fence: fence,
            update: ["$set": ["status": .string(status.rawValue), "cancelledAt": .datetime(at)]])
    }
}

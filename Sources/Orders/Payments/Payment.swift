import Foundation
import Mongo
import SagaKit

/// An order's payment as the card gateway answered (collection `payments`, one document per order).
public struct Payment: Codable, Sendable, Hashable {
    /// Where the money stands.
    public enum Status: String, Codable, Sendable {
        /// Charged and not refunded.
        case charged
        /// Charged, then refunded in full.
        case refunded
        /// Never charged; the charge key was voided so it can never be charged later.
        case voided
    }

    /// The order.
    public var orderId: String
    /// The gateway's charge id (absent when voided before any charge).
    public var chargeId: String?
    /// The amount charged.
    public var amount: Money
    /// Where the money stands.
    public var status: Status
    /// When it was charged.
    public var chargedAt: Date?
    /// The gateway's refund id.
    public var refundId: String?
    /// When it was refunded or voided.
    public var settledAt: Date?

    enum CodingKeys: String, CodingKey {
        case orderId = "_id"
        case chargeId, amount, status, chargedAt, refundId, settledAt
    }
}

/// The `payments` collection.
public struct PaymentRecords: Sendable {
    let payments: MongoCollection<Payment>
    let writes: WriteBatcher<Payment>

    /// The collections in `database` (nothing is sent until used).
    public init(database: MongoDatabase) {
        payments = database.durableCollection("payments", as: Payment.self)
        writes = database.durableWrites("payments", as: Payment.self)
    }

    /// The order's payment, or nil.
    public func payment(orderId: String) async throws -> Payment? {
        try await payments.findOne(["_id": .string(orderId)])
    }

    /// Records a successful charge (idempotent: a repeated charge changes nothing once refunded or voided; a
    /// superseded attempt's write changes nothing at all).
    func recordCharge(orderId: String, chargeId: String, amount: Money, at: Date, fence: FencingToken) async throws {
        try await writes.fencedUpsert(
            id: orderId, fence: fence, update: Self.charge(chargeId: chargeId, amount: amount, at: at))
    }

    /// The write of ``recordCharge(orderId:chargeId:amount:at:fence:)``, to be made with the step's outcome: refused
    /// when a later attempt wrote the payment.
    func chargeWrite(orderId: String, chargeId: String, amount: Money, at: Date, fence: FencingToken) throws
        -> NamespacedWrite
    {
        let update = try Self.charge(chargeId: chargeId, amount: amount, at: at)
        return NamespacedWrite(.fencedUpsert(id: orderId, fence: fence, update: update), in: payments)
    }

    private static func charge(chargeId: String, amount: Money, at: Date) throws -> Document {
        [
            "$setOnInsert": [
                "chargeId": .string(chargeId), "amount": try BSONEncoder().encodeValue(amount),
                "status": .string(Payment.Status.charged.rawValue), "chargedAt": .datetime(at),
            ]
        ]
    }

    /// Records a refund, or that nothing was charged (the charge key is void), as the gateway answered.
    func recordSettlement(orderId: String, refundId: String?, amount: Money, at: Date, fence: FencingToken)
        async throws
    {
        let status: Payment.Status = refundId == nil ? .voided : .refunded
        var set: Document = ["status": .string(status.rawValue), "settledAt": .datetime(at)]
        if let refundId { set["refundId"] = .string(refundId) }
        try await writes.fencedUpsert(
            id: orderId, fence: fence,
            update: ["$set": .document(set), "$setOnInsert": ["amount": try BSONEncoder().encodeValue(amount)]])
    }
}

import Foundation

/// A number that grows with every attempt of a saga, carried by the attempt so that the business side can refuse
/// writes from an attempt that a later one has overtaken (a timed-out attempt still running, or a frozen executor
/// that wakes after its lease was taken over).
///
/// The token is `issuedAt` in milliseconds shifted left by 20 bits, plus the `seq` of the event that started the
/// attempt. Along one saga's history both parts only grow (`issuedAt` is the latest event time so far, whatever
/// the clocks of the executors that wrote them), so a later attempt always has a larger token; across sagas the
/// time part compares tokens by when they were issued.
///
/// ```swift
/// try await products.updateOne(filter: ["_id": sku, "o.\(order).f": ["$lte": context.fence.token.value]], …)
/// ```
public struct FencingToken: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// How many low bits hold the sequence number.
    public static let sequenceBits = 20

    /// The token as one number, for conditions in the business store.
    public let value: Int64

    /// The token of the event `seq` whose history's latest event time is `issuedAt`.
    public init(issuedAt: Date, seq: Int64) {
        let millis = max(0, SagaTime.milliseconds(issuedAt))
        value = millis << Self.sequenceBits | (seq & ((1 << Self.sequenceBits) - 1))
    }

    /// A token read back from the business store.
    public init(value: Int64) { self.value = value }

    /// The smallest token issued at or after `date`, for a horizon that refuses tokens issued before it.
    public static func earliest(at date: Date) -> FencingToken { FencingToken(issuedAt: date, seq: 0) }

    /// When the token was issued (its time part).
    public var issuedAt: Date { SagaTime.date(milliseconds: value >> Self.sequenceBits) }

    public static func < (lhs: FencingToken, rhs: FencingToken) -> Bool { lhs.value < rhs.value }

    public var description: String { "\(value)" }
}

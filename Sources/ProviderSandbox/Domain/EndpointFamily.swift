/// The group of endpoints that shares one idempotency-key space.
///
/// A key used for a charge and the same key used for a refund are the same key (both are payments),
/// while a payments key and a shipping key with the same text are unrelated.
enum EndpointFamily: String, Codable, Sendable, Hashable {
    /// `POST /payments/charges` and `POST /payments/refunds`.
    case payments
    /// `POST /shipping/shipments` and `POST /shipping/shipments/cancel`.
    case shipping
    /// `POST /notify/messages`.
    case notify
}

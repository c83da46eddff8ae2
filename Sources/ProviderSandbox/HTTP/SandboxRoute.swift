/// The sandbox's endpoints, named as they are counted in `GET /stats`.
enum SandboxRoute {
    /// `POST /payments/charges`.
    static let charges = "POST /payments/charges"
    /// `POST /payments/refunds`.
    static let refunds = "POST /payments/refunds"
    /// `POST /shipping/shipments`.
    static let shipments = "POST /shipping/shipments"
    /// `POST /shipping/shipments/cancel`.
    static let shipmentCancels = "POST /shipping/shipments/cancel"
    /// `POST /notify/messages`.
    static let messages = "POST /notify/messages"
    /// `GET /ledger/charges`.
    static let chargesLedger = "GET /ledger/charges"
    /// `GET /ledger/shipments`.
    static let shipmentsLedger = "GET /ledger/shipments"
    /// `GET /ledger/messages`.
    static let messagesLedger = "GET /ledger/messages"
    /// `GET /health`.
    static let health = "GET /health"
    /// `GET /stats`.
    static let stats = "GET /stats"
}

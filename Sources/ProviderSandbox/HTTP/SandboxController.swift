import Hummingbird
import Logging

/// The HTTP face of the sandbox: routes each endpoint to the store, around the shared handling of
/// mutating calls (latency, injected failures, idempotency key, body decoding).
struct SandboxController: Sendable {
    /// The ledgers and stored answers.
    let store: SandboxStore
    /// Latency and failure injection.
    let faults: FaultInjector
    /// Call counts for `GET /stats`.
    let statistics: SandboxStatistics
    /// Where failures are reported.
    let logger: Logger

    /// Registers every endpoint on `router`.
    func addRoutes(to router: Router<BasicRequestContext>) {
        addPaymentRoutes(to: router)
        addShippingRoutes(to: router)
        addNotifyRoutes(to: router)
        addLedgerRoutes(to: router)
        addOperatorRoutes(to: router)
    }

    private func addPaymentRoutes(to router: Router<BasicRequestContext>) {
        let store = store
        router.post("/payments/charges") { request, _ in
            try await mutate(request, route: SandboxRoute.charges, as: ChargeRequest.self) {
                try await store.charge($0, key: $1)
            }
        }
        router.post("/payments/refunds") { request, _ in
            try await mutate(request, route: SandboxRoute.refunds, as: RefundRequest.self) {
                try await store.refund($0, key: $1)
            }
        }
    }

    private func addShippingRoutes(to router: Router<BasicRequestContext>) {
        let store = store
        router.post("/shipping/shipments") { request, _ in
            try await mutate(request, route: SandboxRoute.shipments, as: ShipmentRequest.self) {
                try await store.createShipment($0, key: $1)
            }
        }
        router.post("/shipping/shipments/cancel") { request, _ in
            try await mutate(request, route: SandboxRoute.shipmentCancels, as: ShipmentCancelRequest.self) {
                try await store.cancelShipment($0, key: $1)
            }
        }
    }

    private func addNotifyRoutes(to router: Router<BasicRequestContext>) {
        let store = store
        router.post("/notify/messages") { request, _ in
            try await mutate(request, route: SandboxRoute.messages, as: MessageRequest.self) {
                try await store.sendMessage($0, key: $1)
            }
        }
    }

    private func addLedgerRoutes(to router: Router<BasicRequestContext>) {
        let store = store
        router.get("/ledger/charges") { request, _ in
            try await ledger(request, route: SandboxRoute.chargesLedger) { await store.charges(orderId: $0) }
        }
        router.get("/ledger/shipments") { request, _ in
            try await ledger(request, route: SandboxRoute.shipmentsLedger) { await store.shipments(orderId: $0) }
        }
        router.get("/ledger/messages") { request, _ in
            try await ledger(request, route: SandboxRoute.messagesLedger) { await store.messages(orderId: $0) }
        }
    }

    private func addOperatorRoutes(to router: Router<BasicRequestContext>) {
        let statistics = statistics
        router.get("/health") { _, _ in
            await statistics.recordCall(SandboxRoute.health)
            return try Response.json(status: 200, StatusBody(status: "ok"))
        }
        router.get("/stats") { _, _ in
            await statistics.recordCall(SandboxRoute.stats)
            return try Response.json(status: 200, await statistics.snapshot())
        }
    }
}

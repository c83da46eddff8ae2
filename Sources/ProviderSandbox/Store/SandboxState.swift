/// Everything the sandbox remembers: the three ledgers, the stored first answers, the voided keys and
/// the test-token attempt counts, with indexes for the lookups the endpoints make.
///
/// A plain value changed only through ``apply(_:)``, so the live state and the state rebuilt from the
/// journal are the same by construction.
struct SandboxState: Sendable {
    /// Charges and refunds, in the order they were recorded.
    private(set) var charges: [ChargeEntry] = []
    /// Shipments, in the order they were created.
    private(set) var shipments: [ShipmentEntry] = []
    /// Messages, in the order they were sent.
    private(set) var messages: [MessageEntry] = []

    private var chargePositionsByOrder: [String: [Int]] = [:]
    private var shipmentPositionsByOrder: [String: [Int]] = [:]
    private var messagePositionsByOrder: [String: [Int]] = [:]
    private var chargePositionByKey: [String: Int] = [:]
    private var refundPositionByChargeId: [String: Int] = [:]
    private var shipmentPositionByKey: [String: Int] = [:]
    private var shipmentPositionById: [String: Int] = [:]
    private var storedResponses: [IdempotencyScope: StoredResponse] = [:]
    private var voidedScopes: Set<IdempotencyScope> = []
    private var tokenAttempts: [TokenAttempt: Int] = [:]

    /// An empty state.
    init() {}

    /// Applies one recorded fact.
    mutating func apply(_ event: JournalEvent) throws(JournalError) {
        switch event {
        case .chargeRecorded(let entry):
            let position = charges.count
            charges.append(entry)
            chargePositionsByOrder[entry.orderId, default: []].append(position)
            switch entry.kind {
            case .charge: chargePositionByKey[entry.idempotencyKey] = position
            case .refund: entry.chargeId.map { refundPositionByChargeId[$0] = position }
            }
        case .shipmentRecorded(let entry):
            let position = shipments.count
            shipments.append(entry)
            shipmentPositionsByOrder[entry.orderId, default: []].append(position)
            shipmentPositionByKey[entry.idempotencyKey] = position
            shipmentPositionById[entry.id] = position
        case .shipmentStatusChanged(let id, let status):
            guard let position = shipmentPositionById[id] else {
                throw JournalError(description: "status change for unknown shipment \(id)")
            }
            shipments[position].status = status
        case .messageRecorded(let entry):
            messagePositionsByOrder[entry.orderId, default: []].append(messages.count)
            messages.append(entry)
        case .responseStored(let scope, let response):
            storedResponses[scope] = response
        case .keyVoided(let scope):
            voidedScopes.insert(scope)
        case .tokenAttemptCounted(let orderId, let token):
            tokenAttempts[TokenAttempt(orderId: orderId, token: token), default: 0] += 1
        }
    }

    /// The first answer stored under `scope`, if any.
    func storedResponse(for scope: IdempotencyScope) -> StoredResponse? {
        storedResponses[scope]
    }

    /// Whether `scope` was voided by a refund or cancel that found nothing.
    func isVoided(_ scope: IdempotencyScope) -> Bool {
        voidedScopes.contains(scope)
    }

    /// How many times `token` was tried for `orderId` so far.
    func attempts(orderId: String, token: String) -> Int {
        tokenAttempts[TokenAttempt(orderId: orderId, token: token)] ?? 0
    }

    /// The charge (succeeded or failed) made under the payments key `key`.
    func charge(madeUnderKey key: String) -> ChargeEntry? {
        chargePositionByKey[key].map { charges[$0] }
    }

    /// The refund of the charge with id `chargeId`, if it was refunded.
    func refund(ofChargeId chargeId: String) -> ChargeEntry? {
        refundPositionByChargeId[chargeId].map { charges[$0] }
    }

    /// The shipment created under the shipping key `key`.
    func shipment(createdUnderKey key: String) -> ShipmentEntry? {
        shipmentPositionByKey[key].map { shipments[$0] }
    }

    /// Payments ledger entries, of one order or (when `orderId` is nil) of all.
    func charges(orderId: String?) -> [ChargeEntry] {
        Self.select(charges, orderId: orderId, positions: chargePositionsByOrder)
    }

    /// Shipping ledger entries, of one order or (when `orderId` is nil) of all.
    func shipments(orderId: String?) -> [ShipmentEntry] {
        Self.select(shipments, orderId: orderId, positions: shipmentPositionsByOrder)
    }

    /// Mailer ledger entries, of one order or (when `orderId` is nil) of all.
    func messages(orderId: String?) -> [MessageEntry] {
        Self.select(messages, orderId: orderId, positions: messagePositionsByOrder)
    }

    private static func select<Entry>(
        _ entries: [Entry], orderId: String?, positions: [String: [Int]]
    ) -> [Entry] {
        guard let orderId else { return entries }
        return (positions[orderId] ?? []).map { entries[$0] }
    }
}

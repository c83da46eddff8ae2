/// One fact the sandbox has recorded; replaying every event in order rebuilds its whole state.
enum JournalEvent: Codable, Sendable, Equatable {
    /// A charge or refund was added to the payments ledger.
    case chargeRecorded(entry: ChargeEntry)
    /// A shipment was added to the shipping ledger.
    case shipmentRecorded(entry: ShipmentEntry)
    /// An existing shipment changed status (it was cancelled).
    case shipmentStatusChanged(id: String, status: ShipmentEntry.Status)
    /// A message was added to the mailer's ledger.
    case messageRecorded(entry: MessageEntry)
    /// The first answer to a key was stored, to be repeated for that key from now on.
    case responseStored(scope: IdempotencyScope, response: StoredResponse)
    /// A key was voided: a later create call with it is refused with 409.
    case keyVoided(scope: IdempotencyScope)
    /// A test token was tried once more for an order (drives `tok_flaky` and `tok_slow`).
    case tokenAttemptCounted(orderId: String, token: String)
}

/// One line of the journal: the events of one call, written (and lost in a torn write) together.
struct JournalRecord: Codable, Sendable, Equatable {
    /// The events, in the order they are applied.
    let events: [JournalEvent]
}

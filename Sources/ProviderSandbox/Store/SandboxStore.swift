import Foundation

/// The sandbox's state behind an actor: every call is checked and recorded in one step, so concurrent
/// calls with one key record exactly one entry.
///
/// With a data directory, every change is appended to the journal (and handed to the kernel) before it
/// is applied and answered, and the journal is replayed when the store is created. Operations never
/// suspend between reading the state and recording the change.
actor SandboxStore {
    /// The current state; only ``commit(_:)`` changes it.
    private(set) var state = SandboxState()
    private let journal: JournalFile?
    /// How long the first `tok_slow` charge of an order is answered late.
    let slowAnswerDelay: Duration

    /// Creates the store, replaying the journal in `dataDirectory` when one is given (in memory otherwise).
    ///
    /// - Parameters:
    ///   - dataDirectory: the folder of the journal, or nil to keep everything in memory only.
    ///   - slowAnswerDelay: how long the first `tok_slow` charge of an order is answered late.
    init(dataDirectory: String?, slowAnswerDelay: Duration) throws {
        self.slowAnswerDelay = slowAnswerDelay
        guard let dataDirectory else {
            self.journal = nil
            return
        }
        let journal = try JournalFile(directory: dataDirectory)
        var replayed = SandboxState()
        for record in try journal.readRecords() {
            for event in record.events {
                try replayed.apply(event)
            }
        }
        self.journal = journal
        self.state = replayed
    }

    /// Payments ledger entries of one order, or all of them when `orderId` is nil.
    func charges(orderId: String?) -> [ChargeEntry] {
        state.charges(orderId: orderId)
    }

    /// Shipping ledger entries of one order, or all of them when `orderId` is nil.
    func shipments(orderId: String?) -> [ShipmentEntry] {
        state.shipments(orderId: orderId)
    }

    /// Mailer ledger entries of one order, or all of them when `orderId` is nil.
    func messages(orderId: String?) -> [MessageEntry] {
        state.messages(orderId: orderId)
    }

    /// The current time as a ledger timestamp.
    func timestamp() -> String {
        LedgerTimestamp.format(Date())
    }

    /// Journals `events` as one line, then applies them; nothing is applied if the journal write fails.
    func commit(_ events: [JournalEvent]) throws {
        guard !events.isEmpty else { return }
        try journal?.append(JournalRecord(events: events))
        for event in events {
            try state.apply(event)
        }
    }

    /// Commits `events` plus `response` stored under `scope`, and returns it as a fresh outcome.
    func commitAndStore(
        _ events: [JournalEvent], response: StoredResponse, under scope: IdempotencyScope
    ) throws -> MutationOutcome {
        try commit(events + [.responseStored(scope: scope, response: response)])
        return MutationOutcome(response: response)
    }

    /// The stored first answer under `scope` as a replayed outcome, or nil for a new key.
    func replay(_ scope: IdempotencyScope) -> MutationOutcome? {
        state.storedResponse(for: scope).map { MutationOutcome(response: $0, wasReplayed: true) }
    }
}

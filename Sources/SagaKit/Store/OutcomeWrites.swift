/// Business writes an attempt hands to the history store, to be made in one command with the append that records
/// its outcome, just before it: the outcome is recorded only if every one of them applied.
///
/// Any sendable value, opaque to the engine: a store that takes them (``HistoryStore/takesOutcomeWrites``) says which
/// type it takes, and the step that defers them (``StepContext/deferWrites(_:)``) makes that type (`SagaKitMongo`'s
/// store takes `[NamespacedWrite]`, made in one ordered `bulkWrite` with the append on MongoDB 8.0: one round trip and
/// one commit where there were two).
public typealias OutcomeWrites = Sendable

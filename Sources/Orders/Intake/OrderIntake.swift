import Foundation
import Logging
import Mongo
import SagaKit
import Synchronization

/// Turns documents inserted into an intake collection of the business database into orders, each exactly once.
///
/// It follows the collection's change stream from the resume token kept in a ``StreamPositionStore`` (the history
/// store), and saves a newer token only once every document before it is durably handled: placed (its order and
/// its saga's first event stored) and marked `accepted` with its `orderId`, or marked `rejected` with the
/// `{field, message}` errors a `422` gives. A document's order is placed with an idempotency key made from its
/// `_id` (``IntakeSubmission/idempotencyKey(collection:)``), so the unique `idempotencyScope` index of orders makes
/// every instance that handles it, and every retry, land on one order and one saga.
///
/// Unmarked documents are also looked for by a catch-up scan: each time the stream opens (at start, after an
/// outage), and when the stored token can no longer be resumed (the server refuses it, or the stream was
/// invalidated): then the gap is logged and counted and the stream starts again from now. Transient failures are
/// retried with capped exponential backoff; a document that keeps failing for a reason of its own is rejected.
///
/// ```swift
/// let intake = OrderIntake(orders: orders, collection: "order_intake", positions: positions, rules: rules)
/// try await intake.run()   // until the task is cancelled
/// ```
public final class OrderIntake: Sendable {
    /// Limits and pacing.
    public struct Configuration: Sendable {
        /// The most documents handled in one batch (change events or one round of a catch-up scan).
        public var batchSize: Int
        /// The most documents of a batch being placed at once.
        public var concurrency: Int
        /// The first wait after a failure; it doubles with each failure in a row, up to ``maximumBackoff``.
        public var initialBackoff: Duration
        /// The longest wait after a failure.
        public var maximumBackoff: Duration
        /// How long one wait for changes lasts (and so how soon a stop is noticed).
        public var maxAwaitTime: Duration
        /// How often the token is saved while no document arrives (it moves past other changes of the deployment).
        public var idleSaveInterval: Duration
        /// How many times a document that fails for a reason of its own (not an outage) is tried before it is
        /// rejected.
        public var maxDocumentAttempts: Int
        /// The most rounds of one catch-up scan.
        public var maxScanRounds: Int

        /// Creates a configuration.
        public init(
            batchSize: Int = 100, concurrency: Int = 8, initialBackoff: Duration = .milliseconds(250),
            maximumBackoff: Duration = .seconds(30), maxAwaitTime: Duration = .milliseconds(500),
            idleSaveInterval: Duration = .seconds(10), maxDocumentAttempts: Int = 5, maxScanRounds: Int = 1000
        ) {
            self.batchSize = max(1, batchSize)
            self.concurrency = max(1, concurrency)
            self.initialBackoff = max(.milliseconds(1), initialBackoff)
            self.maximumBackoff = max(self.initialBackoff, maximumBackoff)
            self.maxAwaitTime = maxAwaitTime
            self.idleSaveInterval = idleSaveInterval
            self.maxDocumentAttempts = max(1, maxDocumentAttempts)
            self.maxScanRounds = max(1, maxScanRounds)
        }
    }

    let orders: OrderSystem
    let intake: IntakeCollection
    let positions: any StreamPositionStore
    let rules: IntakeRules
    let configuration: Configuration
    let metrics: IntakeMetrics
    let logger: Logger
    /// Failed attempts of documents failing for a reason of their own, by canonical id.
    let failures = Mutex<[String: Int]>([:])

    /// An intake on `collection` of the orders' business database, keeping its position in `positions`.
    public init(
        orders: OrderSystem, collection: String, positions: any StreamPositionStore, rules: IntakeRules,
        configuration: Configuration = Configuration(), logger: Logger? = nil
    ) {
        self.orders = orders
        intake = IntakeCollection(database: orders.database, name: collection)
        self.positions = positions
        self.rules = rules
        self.configuration = configuration
        metrics = IntakeMetrics(collection: collection)
        var logger = logger ?? orders.logger
        logger[metadataKey: "intake"] = "\(collection)"
        self.logger = logger
    }

    /// The intake collection's name.
    public var collection: String { intake.name }

    /// Creates the index the catch-up scan reads (idempotent).
    public func prepare() async throws {
        try await intake.prepare()
    }

    /// Follows the intake collection until the task is cancelled; failures are logged and retried with backoff.
    public func run() async throws {
        var backoff = configuration.initialBackoff
        var fresh = false
        var prepared = false
        while !Task.isCancelled {
            do {
                if !prepared {
                    try await prepare()
                    prepared = true
                }
                try await follow(fresh: &fresh, backoff: &backoff)
            } catch let lost as LostStreamPosition {
                metrics.gaps.increment()
                logger.warning(
                    "the intake's change stream cannot resume where it stopped; scanning for documents in the gap",
                    metadata: ["reason": "\(lost.reason)"])
                fresh = true
            } catch {
                if Task.isCancelled || error is CancellationError { return }
                logger.warning(
                    "intake interrupted; retrying", metadata: ["error": "\(error)", "retryIn": "\(backoff)"])
                do {
                    try await Task.sleep(for: backoff)
                } catch {
                    return
                }
                backoff = min(backoff * 2, configuration.maximumBackoff)
            }
        }
    }

    /// Scans for documents not marked yet and handles them; returns how many it found.
    @discardableResult
    public func catchUp() async throws -> Int {
        var found = 0
        for _ in 0..<configuration.maxScanRounds {
            let documents = try await intake.unprocessed(limit: configuration.batchSize)
            found += documents.count
            try await handle(documents.compactMap { IntakeSubmission(document: $0) }, checkMarks: false)
            if documents.count < configuration.batchSize { break }
        }
        return found
    }
}

/// The change stream's position cannot be resumed: the server refused the token, or the stream was invalidated.
struct LostStreamPosition: Error {
    let reason: String
}

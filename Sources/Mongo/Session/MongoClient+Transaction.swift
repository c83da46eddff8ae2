import Logging

extension MongoClient {
    /// Runs `body` in a multi-document transaction and commits it, retrying as MongoDB's drivers specify.
    ///
    /// The whole transaction is retried (with a short randomized backoff) when an error carries the
    /// `TransientTransactionError` label, such as a write conflict; the commit alone is retried when its
    /// outcome is unknown (`UnknownTransactionCommitResult`). Retries stop after `timeout` (120 s, as the
    /// specification says). `body` may run more than once, so it must not have effects outside the
    /// transaction. Any other error aborts the transaction and is rethrown.
    ///
    /// ```swift
    /// try await client.withTransaction { session in
    ///     try await products.updateOne(filter: …, update: …, session: session)
    ///     try await reservations.insertOne(reservation, session: session)
    /// }
    /// ```
    public func withTransaction<T: Sendable>(
        readConcern: ReadConcern? = .snapshot,
        writeConcern: WriteConcern? = .majority,
        timeout: Duration = .seconds(120),
        _ body: (MongoSession) async throws -> T
    ) async throws -> T {
        let session = try await startSession()
        defer { session.end() }
        let deadline = ContinuousClock.now + timeout
        var attempt = 0
        while true {
            attempt += 1
            try await session.startTransaction(readConcern: readConcern, writeConcern: writeConcern)
            let result: T
            do {
                result = try await body(session)
            } catch {
                if (try? await session.inTransaction) == true {
                    try? await session.abortTransaction()
                }
                if let mongoError = error as? MongoError, mongoError.isTransientTransactionError,
                    ContinuousClock.now < deadline
                {
                    try await Self.backoff(attempt: attempt)
                    continue
                }
                throw error
            }
            switch try await commit(session, deadline: deadline) {
            case .committed: return result
            case .retryTransaction:
                try await Self.backoff(attempt: attempt)
                continue
            }
        }
    }

    private enum CommitOutcome { case committed, retryTransaction }

    private func commit(_ session: MongoSession, deadline: ContinuousClock.Instant) async throws -> CommitOutcome {
        while true {
            do {
                try await session.commitTransaction()
                return .committed
            } catch let error as MongoError {
                let withinTime = ContinuousClock.now < deadline
                if error.isUnknownCommitResult, error.code != 50, withinTime { continue }
                if error.isTransientTransactionError, withinTime { return .retryTransaction }
                throw error
            }
        }
    }

    /// A short, growing, randomized pause between transaction attempts, so that conflicting writers spread out.
    private static func backoff(attempt: Int) async throws {
        let ceiling = min(100, 2 << min(attempt, 6))
        try await Task.sleep(for: .milliseconds(Int.random(in: 1...ceiling)))
    }
}

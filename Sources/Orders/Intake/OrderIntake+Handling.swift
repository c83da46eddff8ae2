import Foundation
import Mongo
import SagaKit

extension OrderIntake {
    /// Handles a batch: at most ``Configuration/concurrency`` documents at once; throws the first failure once the
    /// others are done, so the batch is tried again (what was handled is marked and skipped then).
    ///
    /// With `checkMarks`, the documents already marked (by another instance, or before a restart) are found first in
    /// one read and skipped.
    func handle(_ submissions: [IntakeSubmission], checkMarks: Bool) async throws {
        var pending = submissions.filter { !$0.isMarked }
        guard !pending.isEmpty else { return }
        if checkMarks {
            let marked = try await intake.marked(pending.map(\.id))
            pending.removeAll { marked.contains($0.canonicalId) }
        }
        let failure = await withTaskGroup(of: (any Error)?.self) { group -> (any Error)? in
            var failure: (any Error)?
            var running = 0
            for submission in pending {
                if running == configuration.concurrency, let done = await group.next() {
                    failure = failure ?? done
                    running -= 1
                }
                group.addTask {
                    do {
                        try await self.handle(submission)
                        return nil
                    } catch {
                        return error
                    }
                }
                running += 1
            }
            for await done in group { failure = failure ?? done }
            return failure
        }
        if let failure { throw failure }
    }

    /// Places one document's order and marks it accepted, or marks it rejected; throws when it should be tried
    /// again (an outage, or another instance placing the same document right now).
    func handle(_ submission: IntakeSubmission) async throws {
        switch submission.request(rules: rules) {
        case .failure(let rejection):
            try await reject(submission, rejection.errors)
        case .success(let request):
            let placement: Placement
            do {
                placement = try await place(request, submission)
            } catch let error as PlacementError {
                if error == .idempotencyKeyReused {
                    return try await reject(
                        submission,
                        [IntakeFieldError(field: "_id", message: "was already placed as an order with another body")])
                }
                guard let rejection = rules.placementRefusal(error) else { throw error }
                return try await reject(submission, rejection.errors)
            } catch let error where Self.isDocumentFault(error) {
                if try await rejectAtLimit(submission, error) { return }
                throw error
            }
            let order: Order
            switch placement {
            case .placed(let placed, _), .replayed(let placed, _): order = placed
            }
            let now = Date()
            if try await intake.markAccepted(submission.id, orderId: order.id.rawValue, at: now) {
                metrics.recordAccepted(insertedAt: submission.insertedAt, now: now)
                logger.debug(
                    "intake document accepted",
                    metadata: ["document": "\(submission.canonicalId)", "orderId": "\(order.id)"])
            }
        }
        failures.withLock { _ = $0.removeValue(forKey: submission.canonicalId) }
    }

    /// Places the document's order; while another instance is placing the same document, waits a little and looks
    /// again (bounded), rather than failing the whole batch.
    private func place(_ request: OrderRequest, _ submission: IntakeSubmission) async throws -> Placement {
        let key = submission.idempotencyKey(collection: intake.name)
        var attempt = 1
        while true {
            do {
                return try await orders.place(request, idempotencyKey: key)
            } catch PlacementError.idempotencyKeyInFlight where attempt < 20 {
                try await Task.sleep(for: .milliseconds(50 * min(attempt, 10)))
                attempt += 1
            }
        }
    }

    private func reject(_ submission: IntakeSubmission, _ errors: [IntakeFieldError]) async throws {
        if try await intake.markRejected(submission.id, errors: errors, at: Date()) {
            metrics.rejected.increment()
            logger.info(
                "intake document rejected",
                metadata: [
                    "document": "\(submission.canonicalId)",
                    "errors": "\(errors.map { "\($0.field) \($0.message)" }.joined(separator: "; "))",
                ])
        }
        failures.withLock { _ = $0.removeValue(forKey: submission.canonicalId) }
    }

    /// Counts a failure of the document's own; at the limit the document is rejected (true) instead of failing again.
    private func rejectAtLimit(_ submission: IntakeSubmission, _ error: any Error) async throws -> Bool {
        let attempts = failures.withLock { failures -> Int in
            if failures.count >= 10_000 { failures.removeAll() }
            failures[submission.canonicalId, default: 0] += 1
            return failures[submission.canonicalId, default: 0]
        }
        guard attempts >= configuration.maxDocumentAttempts else { return false }
        try await reject(
            submission,
            [IntakeFieldError(field: "/", message: "could not be placed after \(attempts) attempts: \(error)")])
        return true
    }

    /// Whether `error` comes from the document rather than from an outage: it would fail the same way again.
    static func isDocumentFault(_ error: any Error) -> Bool {
        switch error {
        case let error as MongoError:
            switch error.kind {
            case .bson, .invalidArgument: return true
            case .command: return !error.isTransient
            default: return false
            }
        case is BSONError, is EncodingError, is DecodingError: return true
        default: return false
        }
    }
}

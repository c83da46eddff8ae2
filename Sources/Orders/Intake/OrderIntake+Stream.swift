import Foundation
import Mongo
import SagaKit

extension OrderIntake {
    /// Opens the change stream (from the stored token, or from now when `fresh` or none is stored, saving its start),
    /// scans for documents it would not report, then handles its changes batch by batch, saving the token after each.
    ///
    /// It never returns: it throws ``LostStreamPosition`` when the position cannot be resumed, another error on failure.
    func follow(fresh: inout Bool, backoff: inout Duration) async throws {
        let stored = fresh ? nil : try await positions.position(of: intake.name).map(Document.init(bsonBytes:))
        let stream = try await open(after: stored)
        defer { stream.close() }
        // The stream's starting point is saved before the scan: a stop during the scan then resumes from it, and
        // the scan that every start runs finds what this one did not get to.
        var saved = stored
        if stored == nil, let token = stream.resumeToken {
            try await positions.save(token.bsonBytes, of: intake.name)
            saved = token
        }
        fresh = false
        // Documents inserted before the stream's start that are not marked: at the first start, during a gap,
        // or handled by nobody while every instance was down past the token's reach.
        let scanned = try await catchUp()
        if scanned > 0 {
            logger.info("catch-up scan handled unmarked documents", metadata: ["documents": "\(scanned)"])
        }
        let clock = ContinuousClock()
        var savedAt = clock.now
        while true {
            try Task.checkCancellation()
            var batch: [IntakeChange] = []
            var invalidated = false
            while batch.count < configuration.batchSize {
                guard let change = try await next(stream) else { break }
                guard change.operationType == "insert" else {
                    invalidated = true
                    break
                }
                batch.append(change)
            }
            if let last = batch.last {
                try await handle(batch.compactMap(\.submission), checkMarks: true)
                try await positions.save(last.resumeToken.bsonBytes, of: intake.name)
                saved = last.resumeToken
                savedAt = clock.now
                backoff = configuration.initialBackoff
            } else if let token = stream.resumeToken, token != saved,
                clock.now - savedAt >= configuration.idleSaveInterval
            {
                // Nothing pending: the post-batch token has only moved past changes the pipeline filtered out.
                try await positions.save(token.bsonBytes, of: intake.name)
                saved = token
                savedAt = clock.now
            }
            if invalidated { throw LostStreamPosition(reason: "the change stream was invalidated") }
        }
    }

    /// Opens the change stream after `token` (from now when nil); a token the server refuses is a lost position.
    private func open(after token: Document?) async throws -> ChangeStream<IntakeChange> {
        do {
            return try await intake.documents.watch(
                [["$match": ["operationType": ["$in": ["insert", "invalidate"]]]]],
                options: ChangeStreamOptions(
                    resumeAfter: token, maxAwaitTime: configuration.maxAwaitTime,
                    batchSize: configuration.batchSize),
                as: IntakeChange.self)
        } catch let error as MongoError where token != nil && error.refusesResumeToken {
            throw LostStreamPosition(reason: "the server refused the stored resume token: \(error)")
        }
    }

    /// The next change, nil when none came within `maxAwaitTime`; history the server no longer has is a lost position.
    private func next(_ stream: ChangeStream<IntakeChange>) async throws -> IntakeChange? {
        do {
            return try await stream.tryNext()
        } catch let error as MongoError where error.losesChangeStreamPosition {
            throw LostStreamPosition(reason: "\(error)")
        }
    }
}

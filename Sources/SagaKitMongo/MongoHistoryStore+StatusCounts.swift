import Foundation
import Mongo
import SagaKit

/// Counts by status kept in one document and brought up to date from the sagas' change stream on every read, so a
/// read costs the changes since the last read, not the sagas stored.
///
/// The document (`saga_counts`, `{_id: "status", counts: {STATUS: n}, token, version}`) holds the counts as of a
/// resume token. A read folds every change of status after that token — an insert counts the new saga, an append
/// that changes the status moves one from its `statusFrom` to its `status` — until the stream has nothing more,
/// and saves the result unless another read saved first (a compare-and-set on `version`; both are exact).
///
/// What the fold cannot account for recounts: no document yet, a position the server no longer has, a replaced or
/// dropped collection, or a change of status without `statusFrom` (an instance from before the counts). A recount
/// opens a stream at a majority time read before it, counts the collection once at majority, then folds the
/// stream's changes up to a majority time read after the count, skipping those the count saw (each saga's
/// `statusChanges` tells which); one that cannot finish falls back to a count it does not keep. The service never
/// deletes a saga (only the stray document
/// of an append to a missing saga, which was never counted), so deletions are not folded; whoever deletes sagas
/// by hand deletes the counts document too, and the next read recounts.
extension MongoHistoryStore {
    /// Reads run one at a time per store (each holds a change stream's connection while it may need another):
    /// a read that waits for another then folds only what changed in between.
    public func countsByStatus() async throws -> [SagaStatus: Int] {
        try await countsReads.acquire()
        defer { countsReads.release() }
        let (stored, serverTime) = try await storedCounts()
        let version = stored?["version"]?.int64Value
        var tally: StatusTally
        do {
            guard let stored, stored["token"]?.documentValue != nil else {
                throw NeedsRecount(reason: "no counts are stored yet")
            }
            tally = StatusTally(stored: stored)
            let stream = try await openStatusChanges(after: tally.token)
            defer { stream.close() }
            try await fold(stream, into: &tally, seen: nil, until: serverTime)
        } catch let needed as NeedsRecount {
            logger.info("counting the sagas by status", metadata: ["reason": "\(needed.reason)"])
            do {
                tally = try await recount(from: serverTime)
            } catch let failed as NeedsRecount {
                // Changes keep coming that no fold can place (instances from before the counts still run): count
                // the collection as those instances do, and keep nothing.
                logger.warning("the sagas' counts by status cannot be kept", metadata: ["reason": "\(failed.reason)"])
                return try await countedByStatus()
            }
        }
        if tally.changed {
            do {
                try await save(tally, replacing: version)
            } catch {
                logger.warning("the counts by status could not be saved", metadata: ["error": "\(error)"])
            }
        }
        return tally.byStatus
    }

    /// The `_id` of the counts document.
    static let statusCountsId: BSONValue = "status"

    /// The stored counts document, if any, and the server's time when it was read (nil when the server gives none).
    private func storedCounts() async throws -> (Document?, BSONTimestamp?) {
        let reply = try await mapped {
            try await self.counts.database.runCommand([
                "find": .string(self.counts.name), "filter": ["_id": Self.statusCountsId], "limit": 1,
                "singleBatch": true, "readConcern": ["level": "majority"],
            ])
        }
        let stored = reply[path: "cursor.firstBatch"]?.arrayValue?.first?.documentValue
        return (stored, reply["operationTime"]?.timestampValue)
    }

    /// The sagas per status in one pass over the committed collection, each counted once (what a read falls back to
    /// when a recount cannot finish).
    private func countedByStatus() async throws -> [SagaStatus: Int] {
        let groups = try await mapped {
            try await self.committed.aggregate([
                ["$match": [SagaDocument.Field.definition: ["$exists": true]]],
                ["$group": ["_id": .string("$" + SagaDocument.Field.status), "count": ["$sum": 1]]],
            ]).toArray()
        }
        var counts: [String: Int64] = [:]
        for group in groups {
            if let status = group["_id"]?.stringValue { counts[status] = group["count"]?.int64Value ?? 0 }
        }
        return StatusTally(counts: counts, token: nil).byStatus
    }

    /// Counts the collection once, between a stream from `serverTime` (a majority read's time, so every change
    /// before it is one the count sees) and the fold of the stream's changes up to a majority read's time after the
    /// count (so every change the count saw is behind the position saved); starts over (at most twice) when the fold
    /// meets something that needs a recount.
    private func recount(from serverTime: BSONTimestamp?) async throws -> StatusTally {
        var reason = ""
        for _ in 0..<3 {
            do {
                let stream = try await openStatusChanges(after: nil, at: serverTime)
                defer { stream.close() }
                var tally = StatusTally(counts: [:], token: stream.resumeToken, changed: true)
                // Read at majority, as the stream is, and in `_id` order, which no append moves a saga in.
                let sagas = try await mapped {
                    try await self.committed.find(
                        [SagaDocument.Field.definition: ["$exists": true]],
                        options: FindOptions(
                            projection: [SagaDocument.Field.status: 1, SagaDocument.Field.statusChanges: 1],
                            batchSize: 1000, hint: ["_id": 1])
                    ).toArray()
                }
                var seen: [String: Int64] = [:]
                for saga in sagas {
                    guard let id = saga["_id"]?.stringValue, let status = saga[SagaDocument.Field.status]?.stringValue
                    else { continue }
                    tally.counts[status, default: 0] += 1
                    seen[id] = saga[SagaDocument.Field.statusChanges]?.int64Value ?? 0
                }
                let (_, counted) = try await storedCounts()
                try await fold(stream, into: &tally, seen: seen, countedThrough: serverTime, until: counted)
                return tally
            } catch let needed as NeedsRecount {
                reason = needed.reason
            }
        }
        throw NeedsRecount(reason: reason)
    }

    /// Folds the stream's changes into `tally` until a wait for more brings none, or, given `serverTime`, just past
    /// the changes made by then while sagas keep changing. During a recount, `seen` holds each counted saga's
    /// `statusChanges` as counted, and changes it reflects are skipped, as are all changes at or before
    /// `countedThrough` (the count, at majority, saw them, whoever made them).
    private func fold(
        _ stream: ChangeStream<ChangeEvent<Document>>, into tally: inout StatusTally, seen: [String: Int64]?,
        countedThrough: BSONTimestamp? = nil, until serverTime: BSONTimestamp?
    ) async throws {
        for _ in 0..<Self.maxFoldedChanges {
            let change: ChangeEvent<Document>?
            do {
                change = try await stream.tryNext()
            } catch let error as MongoError where error.losesChangeStreamPosition {
                throw NeedsRecount(reason: "\(error)")
            } catch let error as MongoError {
                throw HistoryStoreError.unavailable("\(error)")
            }
            guard let change else {
                // Past the changes the pipeline filtered out too; saved only with a fold, so a read that finds
                // nothing writes nothing.
                if tally.changed, let token = stream.resumeToken { tally.token = token }
                return
            }
            let counted = countedThrough.flatMap { through in change.clusterTime.map { $0 <= through } } ?? false
            if !counted { try tally.apply(change, seen: seen) }
            tally.token = change.resumeToken
            tally.changed = true
            if let serverTime, let time = change.clusterTime, time > serverTime { return }
        }
        throw NeedsRecount(reason: "more than \(Self.maxFoldedChanges) changes since the counts were saved")
    }

    /// The most changes one read folds; beyond, counting the collection costs less.
    static let maxFoldedChanges = 1_000_000

    /// The sagas' changes that can change a count, after `token` (else from `time`, else from now), each cut to what
    /// the fold reads; a position the server refuses is a recount.
    private func openStatusChanges(after token: Document?, at time: BSONTimestamp? = nil) async throws -> ChangeStream<
        ChangeEvent<Document>
    > {
        let status = SagaDocument.Field.status
        let updated = "updateDescription.updatedFields"
        let pipeline: [Document] = [
            [
                "$match": [
                    "$or": [
                        [
                            "operationType": [
                                "$in": ["insert", "replace", "drop", "rename", "dropDatabase", "invalidate"]
                            ]
                        ],
                        ["\(updated).\(status)": ["$exists": true]],
                    ]
                ]
            ],
            [
                "$project": [
                    "operationType": 1, "documentKey": 1, "clusterTime": 1,
                    "fullDocument.\(SagaDocument.Field.definition)": 1, "fullDocument.\(status)": 1,
                    "\(updated).\(status)": 1, "\(updated).\(SagaDocument.Field.statusFrom)": 1,
                    "\(updated).\(SagaDocument.Field.statusChanges)": 1,
                ]
            ],
        ]
        let options = ChangeStreamOptions(
            resumeAfter: token, startAtOperationTime: token == nil ? time : nil, maxAwaitTime: .milliseconds(10),
            batchSize: 1000)
        do {
            return try await sagas.watch(pipeline, options: options, as: ChangeEvent<Document>.self)
        } catch let error as MongoError where token != nil && error.refusesResumeToken {
            throw NeedsRecount(reason: "the server refused the position: \(error)")
        } catch let error as MongoError {
            throw HistoryStoreError.unavailable("\(error)")
        }
    }

    /// Saves `tally` unless the stored document is no longer at `version` (nil: unless one exists).
    private func save(_ tally: StatusTally, replacing version: Int64?) async throws {
        let fields = tally.document(version: (version ?? 0) + 1)
        do {
            try await mapped {
                if let version {
                    _ = try await self.counts.updateOne(
                        filter: ["_id": Self.statusCountsId, "version": Condition.equals(.int64(version))],
                        update: ["$set": .document(fields)])
                } else {
                    var document = fields
                    document["_id"] = Self.statusCountsId
                    _ = try await self.counts.insertOne(document)
                }
            }
        } catch is DuplicateSaga {
            // Another read saved first; its counts are as exact as these.
        }
    }
}

/// Counts by status as of a position in the sagas' change stream.
struct StatusTally {
    /// Sagas per status name.
    var counts: [String: Int64]
    /// The position the counts are as of.
    var token: Document?
    /// Whether changes were folded in (or the counts recounted) since they were read.
    var changed = false

    init(counts: [String: Int64], token: Document?, changed: Bool = false) {
        self.counts = counts
        self.token = token
        self.changed = changed
    }

    /// The counts and position of a stored counts document.
    init(stored: Document) {
        var counts: [String: Int64] = [:]
        for (status, count) in stored["counts"]?.documentValue ?? [:] { counts[status] = count.int64Value ?? 0 }
        self.init(counts: counts, token: stored["token"]?.documentValue)
    }

    /// The counts of the statuses the engine knows, every one present.
    var byStatus: [SagaStatus: Int] {
        Dictionary(uniqueKeysWithValues: SagaStatus.allCases.map { ($0, Int(counts[$0.rawValue] ?? 0)) })
    }

    /// The stored fields (all but `_id`).
    func document(version: Int64) -> Document {
        var stored: Document = [:]
        for (status, count) in counts.sorted(by: { $0.key < $1.key }) { stored[status] = .int64(count) }
        return [
            "counts": .document(stored), "token": token.map(BSONValue.document) ?? .null, "version": .int64(version),
        ]
    }

    /// Folds one change; `seen` skips what a recount already counted.
    mutating func apply(_ change: ChangeEvent<Document>, seen: [String: Int64]?) throws {
        let id = change.documentKey?["_id"]?.stringValue ?? ""
        switch change.operationType {
        case "insert":
            // An append's upsert to a missing saga inserts a stray without a definition, removed at once.
            guard let saga = change.fullDocument, saga[SagaDocument.Field.definition] != nil,
                let status = saga[SagaDocument.Field.status]?.stringValue, seen?[id] == nil
            else { return }
            counts[status, default: 0] += 1
        case "update":
            let fields = change.updateDescription?.updatedFields ?? [:]
            guard let status = fields[SagaDocument.Field.status]?.stringValue,
                let from = fields[SagaDocument.Field.statusFrom]?.stringValue,
                let number = fields[SagaDocument.Field.statusChanges]?.int64Value
            else {
                throw NeedsRecount(reason: "saga \(id) changed status without saying from which")
            }
            if let counted = seen?[id], counted >= number { return }
            counts[from, default: 0] -= 1
            counts[status, default: 0] += 1
            if counts[from, default: 0] < 0 { throw NeedsRecount(reason: "the count of \(from) went below zero") }
        default:
            throw NeedsRecount(reason: "a \(change.operationType) of the sagas collection")
        }
    }
}

/// The counts by status cannot be brought up to date by folding changes; they must be recounted.
struct NeedsRecount: Error {
    let reason: String
}

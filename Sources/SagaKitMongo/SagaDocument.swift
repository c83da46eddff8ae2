import Foundation
import Mongo
import SagaKit

/// How a saga is laid out in its MongoDB document (one document per saga, collection `sagas`).
///
/// ```
/// { _id: sagaId, definition, version, status, step, startedAt, updatedAt,
///   seq: last event's seq, inboxCount: inbox size, statusFrom, statusChanges,   // the latest change of status
///   leaseOwner, leaseUntil, dueAt,          // absent when not set
///   input: {…}, events: [{seq, type, step, attempt, at, data}, …], inbox: [{id, name, payload, at}, …] }
/// ```
/// Absent (rather than null) `dueAt` and lease fields let `$min`/`$max` and sparse indexes do the right thing.
enum SagaDocument {
    /// The stored field names: the one place queries, updates, projections and the stored types' coding keys take
    /// them from.
    enum Field {
        static let id = "_id"
        static let definition = "definition"
        static let version = "version"
        static let status = "status"
        static let step = "step"
        static let attempt = "attempt"
        static let startedAt = "startedAt"
        static let updatedAt = "updatedAt"
        static let seq = "seq"
        static let inboxCount = "inboxCount"
        static let leaseOwner = "leaseOwner"
        static let leaseUntil = "leaseUntil"
        static let dueAt = "dueAt"
        static let input = "input"
        static let events = "events"
        static let inbox = "inbox"
        static let listKey = "listKey"
        /// The status before the latest change of status (absent until the first), set by the append that changes it.
        static let statusFrom = "statusFrom"
        /// How many times the status has changed (absent: never); the counts by status tell changes apart by it.
        static let statusChanges = "statusChanges"
        /// When the saga's latest signal was sent; absent until it receives one (the audit trail's sparse index).
        static let lastSignalAt = "lastSignalAt"

        /// The events' fields (`events: [{seq, type, step, attempt, at, data}, …]`).
        enum Event {
            static let seq = "seq"
            static let type = "type"
            static let step = "step"
            static let attempt = "attempt"
            static let at = "at"
            static let data = "data"
        }

        /// The inbox signals' fields (`inbox: [{id, name, payload, at}, …]`).
        enum Signal {
            static let id = "id"
            static let name = "name"
            static let payload = "payload"
            static let at = "at"
        }
    }

    /// A field's name as a coding key of the stored types.
    struct Key: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }

        init(_ name: String) { stringValue = name }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// The key lists page by, newest first: the start time in milliseconds (13 digits) and the id, so one indexed
    /// string orders sagas as `(startedAt, _id)` and a page continues with a single range condition.
    static func listKey(startedAt: Date, id: String) -> String {
        let millis = String(max(0, SagaTime.milliseconds(startedAt)))
        return String(repeating: "0", count: max(0, 13 - millis.count)) + millis + "|" + id
    }

    /// The document of a new saga.
    static func document(for start: SagaStartRequest) throws -> Document {
        try encoding { try BSONEncoder().encode(StoredSaga(start)) }
    }

    /// Events as stored, for a `$push`.
    static func events(_ events: [HistoryEvent]) throws -> BSONValue {
        try encoding { try BSONEncoder().encodeValue(events.map(StoredEvent.init)) }
    }

    /// One inbox signal as stored, for a `$push`.
    static func signal(_ signal: SagaSignalRecord) throws -> BSONValue {
        try encoding { try BSONEncoder().encodeValue(StoredSignal(signal)) }
    }

    /// The events and status of a document read with a projection of them (`events` absent reads as none).
    static func history(from document: Document) throws -> (events: [HistoryEvent], status: SagaStatus) {
        let stored = try decoding("malformed saga document \(document[Field.id] ?? .null)") {
            try BSONDecoder().decode(StoredHistory.self, from: document)
        }
        guard let status = SagaStatus(rawValue: stored.status) else {
            throw HistoryStoreError.invalidRequest("saga \(document[Field.id] ?? .null) has no valid status")
        }
        return ((stored.events ?? []).map(\.event), status)
    }

    /// The part of a saga's document an events read projects.
    private struct StoredHistory: Decodable {
        var status: String
        var events: [StoredEvent]?

        init(from decoder: any Decoder) throws {
            let stored = try decoder.container(keyedBy: Key.self)
            status = try stored.decode(String.self, forKey: Key(Field.status))
            events = try stored.decodeIfPresent([StoredEvent].self, forKey: Key(Field.events))
        }
    }

    /// A stored saga read back (events and inbox included when the document has them).
    static func record(from document: Document) throws -> SagaRecord {
        try decoding("malformed saga document \(document[Field.id] ?? .null)") {
            try BSONDecoder().decode(StoredSaga.self, from: document)
        }.record()
    }

    /// Runs an encode, reporting a value BSON cannot hold (a date out of its range, a key with a NUL byte) as an
    /// invalid request.
    private static func encoding<T>(_ encode: () throws -> T) throws -> T {
        do {
            return try encode()
        } catch let error as BSONError {
            throw HistoryStoreError.invalidRequest("cannot store the saga: \(error)")
        }
    }

    /// Runs a decode, reporting a document that does not have the layout as `malformed`.
    private static func decoding<T>(_ malformed: @autoclosure () -> String, _ decode: () throws -> T) throws -> T {
        do {
            return try decode()
        } catch let error as BSONError {
            throw HistoryStoreError.invalidRequest("\(malformed()): \(error)")
        }
    }

    /// The conditional update of an append: the filter that must match, and the update.
    ///
    /// The filter names `_id` plus the conditions; sent as an upsert, a failed condition becomes a
    /// duplicate-key error on `_id` for just this write, which is how one bulk write carries many
    /// sagas' appends and still reports each one's conflict. The `_id` look-up serves it although `status` leads the
    /// `status_listKey` index (on the local server, measured with 20,000 sagas of one status: no slower than without
    /// the status condition; `mongod` plans the `_id` equality as its cheapest); each condition is a ``Condition``,
    /// which that server's planner passes over on its way to the `_id`. A change of
    /// status records where it came from and counts itself (``Field/statusFrom``, ``Field/statusChanges``): the
    /// change stream then carries all the counts by status need.
    static func append(_ request: AppendRequest) throws -> (filter: Document, update: Document) {
        let filter: Document = [
            Field.id: .string(request.sagaId),
            Field.seq: Condition.equals(.int64(request.expectedSeq)),
            Field.leaseOwner: Condition.equals(.string(request.owner)),
            Field.inboxCount: Condition.equals(.int64(Int64(request.expectedInboxCount))),
            Field.status: Condition.equals(.string(request.expectedStatus.rawValue)),
        ]
        var set: Document = [
            Field.step: request.currentStep.map(BSONValue.string) ?? .null,
            Field.attempt: request.currentAttempt.map { .int64(Int64($0)) } ?? .null,
        ]
        var unset: Document = [:]
        var update: Document = [:]
        if request.status != request.expectedStatus {
            set[Field.status] = .string(request.status.rawValue)
            set[Field.statusFrom] = .string(request.expectedStatus.rawValue)
            update["$inc"] = [Field.statusChanges: .int64(1)]
        }
        if let last = request.events.last {
            set[Field.seq] = .int64(last.seq)
            set[Field.updatedAt] = .datetime(last.at)
            update["$push"] = [Field.events: ["$each": try events(request.events)]]
        }
        switch request.lease {
        case .keep(let until):
            // A held saga is never due before its lease ends, however far renewals extended it: the due-saga
            // poll relies on it to need no condition on the lease.
            update["$max"] = [
                Field.leaseUntil: .datetime(until), Field.dueAt: .datetime(max(request.dueAt ?? until, until)),
            ]
        case .release:
            if let dueAt = request.dueAt { set[Field.dueAt] = .datetime(dueAt) } else { unset[Field.dueAt] = "" }
            unset[Field.leaseOwner] = ""
            unset[Field.leaseUntil] = ""
        }
        update["$set"] = .document(set)
        if !unset.isEmpty { update["$unset"] = .document(unset) }
        return (filter, update)
    }

    /// The fields a list shows (no events, inbox or input).
    static let summaryProjection: Document = [
        Field.events: 0, Field.inbox: 0, Field.input: 0,
    ]
}

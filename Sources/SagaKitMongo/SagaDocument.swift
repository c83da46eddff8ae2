import Foundation
import Mongo
import SagaKit

/// How a saga is laid out in its MongoDB document (one document per saga, collection `sagas`).
///
/// ```
/// { _id: sagaId, definition, version, status, step, startedAt, updatedAt,
///   seq: last event's seq, inboxCount: inbox size,
///   leaseOwner, leaseUntil, dueAt,          // absent when not set
///   input: {…}, events: [{seq, type, step, attempt, at, data}, …], inbox: [{id, name, payload, at}, …] }
/// ```
/// Absent (rather than null) `dueAt` and lease fields let `$min`/`$max` and sparse indexes do the right thing.
enum SagaDocument {
    enum Field {
        static let id = "_id"
        static let definition = "definition"
        static let version = "version"
        static let status = "status"
        static let step = "step"
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
    }

    /// The key lists page by, newest first: the start time in milliseconds (13 digits) and the id, so one indexed
    /// string orders sagas as `(startedAt, _id)` and a page continues with a single range condition.
    static func listKey(startedAt: Date, id: String) -> String {
        let millis = String(max(0, SagaTime.milliseconds(startedAt)))
        return String(repeating: "0", count: max(0, 13 - millis.count)) + millis + "|" + id
    }

    /// The document of a new saga.
    static func document(for start: SagaStartRequest) -> Document {
        var document: Document = [
            Field.id: .string(start.sagaId),
            Field.definition: .string(start.definitionName),
            Field.version: .int64(Int64(start.definitionVersion)),
            Field.status: .string(start.status.rawValue),
            Field.step: start.currentStep.map(BSONValue.string) ?? .null,
            Field.startedAt: .datetime(SagaTime.truncated(start.startedAt)),
            Field.listKey: .string(listKey(startedAt: start.startedAt, id: start.sagaId)),
            Field.updatedAt: .datetime(start.events.last?.at ?? start.startedAt),
            Field.seq: .int64(start.events.last?.seq ?? 0),
            Field.inboxCount: .int64(0),
        ]
        if let owner = start.owner {
            document[Field.leaseOwner] = .string(owner)
            if let until = start.leaseUntil { document[Field.leaseUntil] = .datetime(until) }
        }
        if let dueAt = start.dueAt { document[Field.dueAt] = .datetime(dueAt) }
        document[Field.input] = start.input.bsonValue
        document[Field.events] = .array(start.events.map { .document(event($0)) })
        document[Field.inbox] = .array([])
        return document
    }

    /// One history event as stored.
    static func event(_ event: HistoryEvent) -> Document {
        var document: Document = ["seq": .int64(event.seq), "type": .string(event.type)]
        if let step = event.step { document["step"] = .string(step) }
        if let attempt = event.attempt { document["attempt"] = .int64(Int64(attempt)) }
        document["at"] = .datetime(event.at)
        if let data = event.data { document["data"] = data.bsonValue }
        return document
    }

    /// One inbox signal as stored.
    static func signal(_ signal: SagaSignalRecord) -> Document {
        [
            "id": .string(signal.id), "name": .string(signal.name), "payload": signal.payload.bsonValue,
            "at": .datetime(signal.at),
        ]
    }

    /// A stored event read back.
    static func event(from document: Document) throws -> HistoryEvent {
        guard let seq = document["seq"]?.int64Value, let type = document["type"]?.stringValue,
            let at = document["at"]?.dateValue
        else { throw HistoryStoreError.invalidRequest("malformed stored event: \(document)") }
        return HistoryEvent(
            seq: seq, type: type, step: document["step"]?.stringValue,
            attempt: document["attempt"]?.int64Value.map(Int.init), at: at,
            data: document["data"].map(JSONValue.init(bson:)))
    }

    /// Stored events read back, in order.
    static func events(from value: BSONValue?) throws -> [HistoryEvent] {
        try (value?.arrayValue ?? []).map { element in
            guard let document = element.documentValue else {
                throw HistoryStoreError.invalidRequest("malformed stored event")
            }
            return try event(from: document)
        }
    }

    /// A stored saga read back (events and inbox included when the document has them).
    static func record(from document: Document) throws -> SagaRecord {
        guard let id = document[Field.id]?.stringValue,
            let definition = document[Field.definition]?.stringValue,
            let version = document[Field.version]?.int64Value,
            let statusText = document[Field.status]?.stringValue, let status = SagaStatus(rawValue: statusText),
            let startedAt = document[Field.startedAt]?.dateValue,
            let updatedAt = document[Field.updatedAt]?.dateValue,
            let seq = document[Field.seq]?.int64Value
        else { throw HistoryStoreError.invalidRequest("malformed saga document \(document[Field.id] ?? .null)") }
        let inbox = try (document[Field.inbox]?.arrayValue ?? []).map { element -> SagaSignalRecord in
            guard let signal = element.documentValue, let name = signal["name"]?.stringValue,
                let at = signal["at"]?.dateValue
            else { throw HistoryStoreError.invalidRequest("malformed inbox signal in saga \(id)") }
            return SagaSignalRecord(
                id: signal["id"]?.stringValue ?? "", name: name,
                payload: signal["payload"].map(JSONValue.init(bson:)) ?? .null, at: at)
        }
        return SagaRecord(
            id: id, definitionName: definition, definitionVersion: Int(version), status: status,
            currentStep: document[Field.step]?.stringValue, startedAt: startedAt, updatedAt: updatedAt,
            lastSeq: seq, leaseOwner: document[Field.leaseOwner]?.stringValue,
            leaseUntil: document[Field.leaseUntil]?.dateValue, dueAt: document[Field.dueAt]?.dateValue,
            inbox: inbox, events: try events(from: document[Field.events]),
            input: document[Field.input].map(JSONValue.init(bson:)) ?? .null)
    }

    /// The conditional update of an append: the filter that must match, and the update.
    ///
    /// The filter names `_id` plus the conditions; sent as an upsert, a failed condition becomes a
    /// duplicate-key error on `_id` for just this write, which is how one bulk write carries many
    /// sagas' appends and still reports each one's conflict.
    static func append(_ request: AppendRequest) -> (filter: Document, update: Document) {
        let filter: Document = [
            Field.id: .string(request.sagaId),
            Field.seq: .int64(request.expectedSeq),
            Field.leaseOwner: .string(request.owner),
            Field.inboxCount: .int64(Int64(request.expectedInboxCount)),
        ]
        var set: Document = [
            Field.status: .string(request.status.rawValue),
            Field.step: request.currentStep.map(BSONValue.string) ?? .null,
        ]
        var unset: Document = [:]
        var update: Document = [:]
        if let last = request.events.last {
            set[Field.seq] = .int64(last.seq)
            set[Field.updatedAt] = .datetime(last.at)
            update["$push"] = [Field.events: ["$each": .array(request.events.map { .document(event($0)) })]]
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

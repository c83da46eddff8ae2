import Foundation
import Mongo
import SagaKit

/// A saga's document in the `sagas` collection, as the BSON coders write and read it (see ``SagaDocument`` for the
/// layout).
///
/// Written in the layout's field order; `step` is `null` when there is none, while `leaseOwner`, `leaseUntil` and
/// `dueAt` are absent when unset. Read back from whole documents and from projections: `listKey`, `inboxCount`,
/// `input`, `events` and `inbox` may be missing (the last three then read as `.null` and empty).
struct StoredSaga: Codable {
    var id: String
    var definition: String
    var version: Int64
    var status: String
    var step: String?
    var attempt: Int64?
    var startedAt: Date
    var listKey: String?
    var updatedAt: Date
    var seq: Int64
    var inboxCount: Int64?
    var leaseOwner: String?
    var leaseUntil: Date?
    var dueAt: Date?
    var input: JSONValue?
    var events: [StoredEvent]?
    var inbox: [StoredSignal]?

    /// The document of a new saga.
    init(_ start: SagaStartRequest) {
        id = start.sagaId
        definition = start.definitionName
        version = Int64(start.definitionVersion)
        status = start.status.rawValue
        step = start.currentStep
        attempt = start.currentAttempt.map(Int64.init)
        startedAt = SagaTime.truncated(start.startedAt)
        listKey = SagaDocument.listKey(startedAt: start.startedAt, id: start.sagaId)
        updatedAt = start.events.last?.at ?? start.startedAt
        seq = start.events.last?.seq ?? 0
        inboxCount = 0
        leaseOwner = start.owner
        leaseUntil = start.owner == nil ? nil : start.leaseUntil
        dueAt = start.dueAt
        input = start.input
        events = start.events.map(StoredEvent.init)
        inbox = []
    }

    init(from decoder: any Decoder) throws {
        let stored = try decoder.container(keyedBy: SagaDocument.Key.self)
        typealias Field = SagaDocument.Field
        id = try stored.decode(String.self, forKey: .init(Field.id))
        definition = try stored.decode(String.self, forKey: .init(Field.definition))
        version = try stored.decode(Int64.self, forKey: .init(Field.version))
        status = try stored.decode(String.self, forKey: .init(Field.status))
        step = try stored.decodeIfPresent(String.self, forKey: .init(Field.step))
        attempt = try stored.decodeIfPresent(Int64.self, forKey: .init(Field.attempt))
        startedAt = try stored.decode(Date.self, forKey: .init(Field.startedAt))
        listKey = try stored.decodeIfPresent(String.self, forKey: .init(Field.listKey))
        updatedAt = try stored.decode(Date.self, forKey: .init(Field.updatedAt))
        seq = try stored.decode(Int64.self, forKey: .init(Field.seq))
        inboxCount = try stored.decodeIfPresent(Int64.self, forKey: .init(Field.inboxCount))
        leaseOwner = try stored.decodeIfPresent(String.self, forKey: .init(Field.leaseOwner))
        leaseUntil = try stored.decodeIfPresent(Date.self, forKey: .init(Field.leaseUntil))
        dueAt = try stored.decodeIfPresent(Date.self, forKey: .init(Field.dueAt))
        input = try stored.decodePayloadIfPresent(forKey: .init(Field.input))
        events = try stored.decodeIfPresent([StoredEvent].self, forKey: .init(Field.events))
        inbox = try stored.decodeIfPresent([StoredSignal].self, forKey: .init(Field.inbox))
    }

    func encode(to encoder: any Encoder) throws {
        var stored = encoder.container(keyedBy: SagaDocument.Key.self)
        typealias Field = SagaDocument.Field
        try stored.encode(id, forKey: .init(Field.id))
        try stored.encode(definition, forKey: .init(Field.definition))
        try stored.encode(version, forKey: .init(Field.version))
        try stored.encode(status, forKey: .init(Field.status))
        if let step {
            try stored.encode(step, forKey: .init(Field.step))
        } else {
            try stored.encodeNil(forKey: .init(Field.step))
        }
        try stored.encodeIfPresent(attempt, forKey: .init(Field.attempt))
        try stored.encode(startedAt, forKey: .init(Field.startedAt))
        try stored.encodeIfPresent(listKey, forKey: .init(Field.listKey))
        try stored.encode(updatedAt, forKey: .init(Field.updatedAt))
        try stored.encode(seq, forKey: .init(Field.seq))
        try stored.encodeIfPresent(inboxCount, forKey: .init(Field.inboxCount))
        try stored.encodeIfPresent(leaseOwner, forKey: .init(Field.leaseOwner))
        try stored.encodeIfPresent(leaseUntil, forKey: .init(Field.leaseUntil))
        try stored.encodeIfPresent(dueAt, forKey: .init(Field.dueAt))
        try stored.encodeIfPresent(input?.bsonValue, forKey: .init(Field.input))
        try stored.encodeIfPresent(events, forKey: .init(Field.events))
        try stored.encodeIfPresent(inbox, forKey: .init(Field.inbox))
    }

    /// The saga as the engine sees it; events and inbox are empty and the input `.null` when the document was read
    /// without them.
    func record() throws -> SagaRecord {
        guard let sagaStatus = SagaStatus(rawValue: status) else {
            throw HistoryStoreError.invalidRequest("saga \(id) has unknown status \(status)")
        }
        return SagaRecord(
            id: id, definitionName: definition, definitionVersion: Int(version), status: sagaStatus,
            currentStep: step, currentAttempt: attempt.map(Int.init), startedAt: startedAt, updatedAt: updatedAt,
            lastSeq: seq, leaseOwner: leaseOwner,
            leaseUntil: leaseUntil, dueAt: dueAt, inbox: (inbox ?? []).map(\.signal),
            events: (events ?? []).map(\.event), input: input ?? .null)
    }
}

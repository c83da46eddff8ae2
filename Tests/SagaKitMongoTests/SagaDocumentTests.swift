import Foundation
import Mongo
import SagaKit
import Testing

@testable import SagaKitMongo

/// The `sagas` documents keep the layout databases already hold: field names, types, order, absent versus null,
/// sorted payload keys.
@Suite("Saga document layout")
struct SagaDocumentTests {
    static let startedAt = SagaTime.date(milliseconds: 1_790_000_000_123)
    static let later = SagaTime.date(milliseconds: 1_790_000_004_567)
    static let leaseEnd = SagaTime.date(milliseconds: 1_790_000_064_567)

    /// An input whose keys a dictionary would not list in sorted order, with an integer, a fraction, a whole double,
    /// a nested object and an array.
    static let input: JSONValue = [
        "zeta": 1, "alpha": 2.5, "mid": ["y": true, "b": .null, "k": "v"], "list": [3, "x", 2.0], "whole": 2.0,
    ]

    /// `input` as the hand-written conversion stored it.
    static let storedInput: BSONValue = [
        "alpha": .double(2.5), "list": [.int64(3), "x", .double(2.0)],
        "mid": ["b": .null, "k": "v", "y": true], "whole": .double(2.0), "zeta": .int64(1),
    ]

    static let events = [
        HistoryEvent(seq: 1, type: "SagaStarted", at: startedAt, data: ["definition": "d", "version": 1]),
        HistoryEvent(seq: 2, type: "StepScheduled", step: "A", at: startedAt, data: ["kind": "action"]),
        HistoryEvent(seq: 3, type: "StepStarted", step: "A", attempt: 1, at: later),
        HistoryEvent(seq: 4, type: "Marker", at: later, data: .null),
    ]

    /// `events` as the hand-written conversion stored them.
    static let storedEvents: [BSONValue] = [
        [
            "seq": .int64(1), "type": "SagaStarted", "at": .datetime(startedAt),
            "data": ["definition": "d", "version": .int64(1)],
        ],
        [
            "seq": .int64(2), "type": "StepScheduled", "step": "A", "at": .datetime(startedAt),
            "data": ["kind": "action"],
        ],
        ["seq": .int64(3), "type": "StepStarted", "step": "A", "attempt": .int64(1), "at": .datetime(later)],
        ["seq": .int64(4), "type": "Marker", "at": .datetime(later), "data": .null],
    ]

    static func start(owner: String?, dueAt: Date?, step: String?) -> SagaStartRequest {
        SagaStartRequest(
            sagaId: "s-1", definitionName: "d", definitionVersion: 3, input: input, events: events,
            status: .running, currentStep: step, owner: owner, leaseUntil: leaseEnd, dueAt: dueAt,
            startedAt: startedAt)
    }

    @Test("a new saga's document is the stored layout, byte for byte")
    func newSagaBytes() throws {
        let leased = try SagaDocument.document(for: Self.start(owner: "me", dueAt: Self.later, step: "A"))
        let expected: Document = [
            "_id": "s-1", "definition": "d", "version": .int64(3), "status": "RUNNING", "step": "A",
            "startedAt": .datetime(Self.startedAt),
            "listKey": .string(SagaDocument.listKey(startedAt: Self.startedAt, id: "s-1")),
            "updatedAt": .datetime(Self.later), "seq": .int64(4), "inboxCount": .int64(0),
            "leaseOwner": "me", "leaseUntil": .datetime(Self.leaseEnd),
            "dueAt": .datetime(Self.later), "input": Self.storedInput, "events": .array(Self.storedEvents),
            "inbox": [],
        ]
        #expect(leased == expected)

        // No lease and no due time: the fields are absent, not null; no step: `step` is null.
        let parked = try SagaDocument.document(for: Self.start(owner: nil, dueAt: nil, step: nil))
        #expect(parked.keys.contains("leaseOwner") == false)
        #expect(parked.keys.contains("leaseUntil") == false)
        #expect(parked.keys.contains("dueAt") == false)
        #expect(parked["step"] == .null)
    }

    @Test("a document stored before the Codable layer loads")
    func legacyDocumentLoads() throws {
        let stored: Document = [
            "_id": "s-1", "definition": "d", "version": .int64(3), "status": "WAITING", "step": .null,
            "startedAt": .datetime(Self.startedAt), "listKey": "1790000000123|s-1", "updatedAt": .datetime(Self.later),
            "seq": .int64(4), "inboxCount": .int64(1), "dueAt": .datetime(Self.later), "input": Self.storedInput,
            "events": .array(Self.storedEvents),
            "inbox": [
                [
                    "id": "sig-1", "name": "approve", "payload": ["by": "ops", "n": .int32(7)],
                    "at": .datetime(Self.later),
                ]
            ],
        ]
        let record = try SagaDocument.record(from: stored)
        #expect(
            record
                == SagaRecord(
                    id: "s-1", definitionName: "d", definitionVersion: 3, status: .waiting, currentStep: nil,
                    startedAt: Self.startedAt, updatedAt: Self.later, lastSeq: 4, leaseOwner: nil, leaseUntil: nil,
                    dueAt: Self.later,
                    inbox: [
                        SagaSignalRecord(id: "sig-1", name: "approve", payload: ["by": "ops", "n": 7], at: Self.later)
                    ],
                    events: Self.events, input: Self.input))
    }

    @Test("a saga read back is the saga written, and a list's projection reads without events, inbox or input")
    func roundTrip() throws {
        let start = Self.start(owner: "me", dueAt: nil, step: "A")
        let document = try SagaDocument.document(for: start)
        let record = try SagaDocument.record(from: document)
        #expect(
            record
                == SagaRecord(
                    id: "s-1", definitionName: "d", definitionVersion: 3, status: .running, currentStep: "A",
                    startedAt: Self.startedAt, updatedAt: Self.later, lastSeq: 4, leaseOwner: "me",
                    leaseUntil: Self.leaseEnd, dueAt: nil, inbox: [], events: Self.events,
                    input: Self.input))

        var summary = document
        for field in ["events", "inbox", "input"] { summary[field] = nil }
        let listed = try SagaDocument.record(from: summary)
        #expect(listed.events.isEmpty && listed.inbox.isEmpty && listed.input == .null)
        #expect(listed.lastSeq == 4 && listed.leaseOwner == "me")
    }

    @Test("an append pushes its events and a signal its record in the stored layout")
    func appendAndSignal() throws {
        let (filter, update) = try SagaDocument.append(
            AppendRequest(
                sagaId: "s-1", owner: "me", expectedSeq: 0, expectedInboxCount: 0, expectedStatus: .running,
                events: Self.events,
                status: .running, currentStep: "Charge", currentAttempt: 2, dueAt: nil, lease: .release))
        #expect(
            filter == [
                "_id": "s-1", "seq": ["$eq": .int64(0), "$exists": true], "leaseOwner": ["$eq": "me", "$exists": true],
                "inboxCount": ["$eq": .int64(0), "$exists": true], "status": ["$eq": "RUNNING", "$exists": true],
            ])
        #expect(update["$push"] == ["events": ["$each": .array(Self.storedEvents)]])
        #expect(
            update["$set"] == [
                "step": "Charge", "attempt": .int64(2), "seq": .int64(4), "updatedAt": .datetime(Self.later),
            ], "an unchanged status is not written")
        #expect(update["$inc"] == nil)

        let (_, changing) = try SagaDocument.append(
            AppendRequest(
                sagaId: "s-1", owner: "me", expectedSeq: 4, expectedInboxCount: 0, expectedStatus: .running,
                events: [], status: .compensating, currentStep: "Charge", dueAt: nil, lease: .release))
        #expect(changing["$set"]?.documentValue?["status"] == "COMPENSATING")
        #expect(changing["$set"]?.documentValue?["statusFrom"] == "RUNNING")
        #expect(changing["$inc"] == ["statusChanges": .int64(1)], "a change of status counts itself")

        let signal = SagaSignalRecord(id: "sig-1", name: "approve", payload: ["z": 1, "a": 1.5], at: Self.later)
        #expect(
            try SagaDocument.signal(signal)
                == [
                    "id": "sig-1", "name": "approve", "payload": ["a": .double(1.5), "z": .int64(1)],
                    "at": .datetime(Self.later),
                ])
    }

    @Test("an events read decodes the projected events and status")
    func history() throws {
        let projected: Document = [
            "_id": "s-1", "status": "RUNNING", "seq": .int64(4), "events": .array(Self.storedEvents),
        ]
        let (events, status) = try SagaDocument.history(from: projected)
        #expect(events == Self.events && status == .running)
        #expect(try SagaDocument.history(from: ["_id": "s-1", "status": "COMPLETED"]).events.isEmpty)
    }

    @Test("a payload's BSON is the BSON JSONValue's Codable conformance gives, and reads back as the same value")
    func payloads() throws {
        #expect(Self.input.bsonValue == Self.storedInput)
        #expect(try BSONEncoder().encodeValue(Self.input) == Self.storedInput)
        #expect(JSONValue(bson: Self.storedInput) == Self.input)
    }

    @Test("a malformed document is an invalid request naming the saga")
    func malformed() throws {
        #expect {
            try SagaDocument.record(from: ["_id": "s-9", "status": "RUNNING"])
        } throws: { error in
            guard case HistoryStoreError.invalidRequest(let reason) = error else { return false }
            return reason.contains("s-9")
        }
    }
}

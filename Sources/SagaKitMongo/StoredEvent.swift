import Foundation
import Mongo
import SagaKit

/// One history event as the `events` array of a saga's document holds it: `{seq, type, step, attempt, at, data}`.
///
/// `step`, `attempt` and `data` are absent when the event has none; a `data` of JSON `null` is stored as BSON
/// `null` and read back as `.null`, so an event reads back exactly as it was appended.
struct StoredEvent: Codable {
    /// The event.
    var event: HistoryEvent

    init(_ event: HistoryEvent) {
        self.event = event
    }

    init(from decoder: any Decoder) throws {
        let stored = try decoder.container(keyedBy: SagaDocument.Key.self)
        typealias Field = SagaDocument.Field.Event
        event = HistoryEvent(
            seq: try stored.decode(Int64.self, forKey: .init(Field.seq)),
            type: try stored.decode(String.self, forKey: .init(Field.type)),
            step: try stored.decodeIfPresent(String.self, forKey: .init(Field.step)),
            attempt: try stored.decodeIfPresent(Int64.self, forKey: .init(Field.attempt)).map(Int.init),
            at: try stored.decode(Date.self, forKey: .init(Field.at)),
            data: try stored.decodePayloadIfPresent(forKey: .init(Field.data)))
    }

    func encode(to encoder: any Encoder) throws {
        var stored = encoder.container(keyedBy: SagaDocument.Key.self)
        typealias Field = SagaDocument.Field.Event
        try stored.encode(event.seq, forKey: .init(Field.seq))
        try stored.encode(event.type, forKey: .init(Field.type))
        try stored.encodeIfPresent(event.step, forKey: .init(Field.step))
        try stored.encodeIfPresent(event.attempt.map(Int64.init), forKey: .init(Field.attempt))
        try stored.encode(event.at, forKey: .init(Field.at))
        try stored.encodeIfPresent(event.data?.bsonValue, forKey: .init(Field.data))
    }
}

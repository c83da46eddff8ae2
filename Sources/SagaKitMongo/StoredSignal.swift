import Foundation
import Mongo
import SagaKit

/// One inbox signal as the `inbox` array of a saga's document holds it: `{id, name, payload, at}`.
///
/// A signal stored without an `id` reads back with an empty one, and without a `payload` with `.null`.
struct StoredSignal: Codable {
    /// The signal.
    var signal: SagaSignalRecord

    init(_ signal: SagaSignalRecord) {
        self.signal = signal
    }

    init(from decoder: any Decoder) throws {
        let stored = try decoder.container(keyedBy: SagaDocument.Key.self)
        typealias Field = SagaDocument.Field.Signal
        signal = SagaSignalRecord(
            id: try stored.decodeIfPresent(String.self, forKey: .init(Field.id)) ?? "",
            name: try stored.decode(String.self, forKey: .init(Field.name)),
            payload: try stored.decodePayloadIfPresent(forKey: .init(Field.payload)) ?? .null,
            at: try stored.decode(Date.self, forKey: .init(Field.at)))
    }

    func encode(to encoder: any Encoder) throws {
        var stored = encoder.container(keyedBy: SagaDocument.Key.self)
        typealias Field = SagaDocument.Field.Signal
        try stored.encode(signal.id, forKey: .init(Field.id))
        try stored.encode(signal.name, forKey: .init(Field.name))
        try stored.encode(signal.payload.bsonValue, forKey: .init(Field.payload))
        try stored.encode(signal.at, forKey: .init(Field.at))
    }
}

import Foundation
import Mongo
import SagaKit

extension MongoHistoryStore: SagaCommandLog {
    /// The signals of the sagas that received any (`inboxCount > 0`), unwound and sorted by time.
    ///
    /// An operator's look-up, not a hot path: it reads every saga that received a signal, which on most databases is a
    /// small share of all sagas.
    public func commands(before position: SagaCommandPosition?, limit: Int) async throws -> [SagaCommandEntry] {
        typealias Field = SagaDocument.Field
        let at = "\(Field.inbox).\(Field.Signal.at)"
        let id = "\(Field.inbox).\(Field.Signal.id)"
        var pipeline: [Document] = [
            ["$match": [Field.inboxCount: ["$gt": 0]]],
            ["$project": [Field.inbox: 1]],
            ["$unwind": .string("$\(Field.inbox)")],
        ]
        if let position {
            pipeline.append([
                "$match": [
                    "$or": [
                        [at: ["$lt": .datetime(position.at)]],
                        [at: .datetime(position.at), id: ["$lt": .string(position.id)]],
                    ]
                ]
            ])
        }
        pipeline += [["$sort": [at: -1, id: -1]], ["$limit": .int64(Int64(max(1, limit)))]]
        let stages = pipeline
        let rows = try await mapped {
            try await self.sagas.aggregate(stages, as: CommandRow.self).toArray()
        }
        return rows.map { SagaCommandEntry(sagaId: $0.id, signal: $0.inbox.signal) }
    }
}

/// One unwound inbox signal: `{_id, inbox: {id, name, payload, at}}`.
private struct CommandRow: Decodable, Sendable {
    var id: String
    var inbox: StoredSignal

    enum CodingKeys: String, CodingKey {
        case id = "_id"
        case inbox
    }
}

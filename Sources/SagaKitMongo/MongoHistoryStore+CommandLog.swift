import Foundation
import Mongo
import SagaKit

extension MongoHistoryStore: SagaCommandLog {
    /// The signals of the sagas that received any, through the sparse `lastSignalAt` index, latest first; stops
    /// reading once every saga left signalled before the oldest of the `limit` entries it keeps.
    public func commands(before position: SagaCommandPosition?, limit: Int) async throws -> [SagaCommandEntry] {
        typealias Field = SagaDocument.Field
        let limit = max(1, limit)
        let selection: Document = [Field.lastSignalAt: ["$exists": true]]
        let options = FindOptions(
            sort: [Field.lastSignalAt: -1], projection: [Field.inbox: 1, Field.lastSignalAt: 1], batchSize: 100,
            hint: [Field.lastSignalAt: -1])
        return try await mapped {
            var kept: [SagaCommandEntry] = []
            for try await row in try await self.sagas.find(selection, options: options, as: SignalledSaga.self) {
                if kept.count >= limit, let oldest = kept.last, row.lastSignalAt < oldest.signal.at { break }
                for signal in row.inbox.map(\.signal) {
                    let entry = SagaCommandEntry(sagaId: row.id, signal: signal)
                    if let position, entry.position >= position { continue }
                    kept.append(entry)
                }
                kept.sort { $1.position < $0.position }
                if kept.count > limit { kept.removeLast(kept.count - limit) }
            }
            return kept
        }
    }

    /// Gives sagas signalled before `lastSignalAt` existed their latest signal's time, a batch at a time.
    func backfillLastSignalTimes() async throws {
        typealias Field = SagaDocument.Field
        let selection: Document = [Field.inboxCount: ["$gt": 0], Field.lastSignalAt: ["$exists": false]]
        let options = FindOptions(limit: 500, projection: [Field.inbox: 1])
        while true {
            let rows = try await mapped {
                try await self.sagas.find(selection, options: options, as: UnmarkedSaga.self).toArray()
            }
            for row in rows {
                let latest = row.inbox.map(\.signal.at).max() ?? Date(timeIntervalSince1970: 0)
                _ = try await mapped {
                    try await self.sagas.updateOne(
                        filter: [Field.id: .string(row.id)], update: ["$max": [Field.lastSignalAt: .datetime(latest)]])
                }
            }
            if rows.count < 500 { return }
        }
    }
}

/// A saga signalled before `lastSignalAt` existed: `{_id, inbox}`.
private struct UnmarkedSaga: Decodable, Sendable {
    var id: String
    var inbox: [StoredSignal]

    enum CodingKeys: String, CodingKey {
        case id = "_id"
        case inbox
    }
}

/// A saga's signals: `{_id, lastSignalAt, inbox: [{id, name, payload, at}, …]}`.
private struct SignalledSaga: Decodable, Sendable {
    var id: String
    var lastSignalAt: Date
    var inbox: [StoredSignal]

    enum CodingKeys: String, CodingKey {
        case id = "_id"
        case lastSignalAt
        case inbox
    }
}

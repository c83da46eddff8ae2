import Mongo
import SagaKit

extension MongoCollection {
    /// Upserts the per-order document `id` unless a later attempt (a larger fencing token) already wrote it;
    /// true when applied. The document keeps the largest token in `fence`.
    ///
    /// A superseded write matches no document, and its upsert then collides with the existing `_id`: that
    /// duplicate-key refusal is the fence.
    @discardableResult
    func fencedUpsert(id: String, fence: FencingToken, update: Document) async throws -> Bool {
        var update = update
        update["$max"] = ["fence": .int64(fence.value)]
        do {
            try await updateOne(
                filter: ["_id": .string(id), "fence": ["$not": ["$gt": .int64(fence.value)]]], update: update,
                options: UpdateOptions(upsert: true))
            return true
        } catch let error as MongoError where error.kind == .duplicateKey {
            return false
        }
    }
}

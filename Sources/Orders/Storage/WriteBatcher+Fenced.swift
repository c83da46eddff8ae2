import Mongo
import SagaKit

extension WriteBatcher {
    /// Upserts the per-order document `id` unless a later attempt (a larger fencing token) already wrote it;
    /// true when applied. The document keeps the largest token in `fence`.
    ///
    /// A superseded write matches no document, and its upsert then collides with the existing `_id`: that
    /// duplicate-key refusal is the fence.
    @discardableResult
    func fencedUpsert(id: String, fence: FencingToken, update: Document) async throws -> Bool {
        switch try await submit(.fencedUpsert(id: id, fence: fence, update: update)) {
        case .applied: return true
        case .refused(let error) where error.kind == .duplicateKey: return false
        case .refused(let error): throw MongoError(refusal: error)
        }
    }
}

extension WriteModel {
    /// The upsert of ``WriteBatcher/fencedUpsert(id:fence:update:)``: refused as a duplicate key when a later attempt
    /// wrote the document.
    static func fencedUpsert(id: String, fence: FencingToken, update: Document) -> WriteModel {
        var update = update
        update["$max"] = ["fence": .int64(fence.value)]
        let filter: Document = ["_id": .string(id), "fence": ["$not": ["$gt": .int64(fence.value)]]]
        return .updateOne(filter: filter, update: update, upsert: true)
    }
}

import Foundation
import Mongo

/// One change of the intake collection, as the intake's change stream reports it (inserts and invalidations).
struct IntakeChange: Decodable, Sendable {
    /// The change's resume token.
    let resumeToken: Document
    /// `insert` or `invalidate`.
    let operationType: String
    /// The inserted document.
    let fullDocument: Document?
    /// When the change happened in the deployment's logical clock (seconds).
    let clusterTime: BSONTimestamp?
    /// When the change happened by the server's wall clock (MongoDB 6 and later).
    let wallTime: Date?

    enum CodingKeys: String, CodingKey {
        case resumeToken = "_id"
        case operationType, fullDocument, clusterTime, wallTime
    }

    /// The inserted document as a submission, with its insertion time.
    var submission: IntakeSubmission? {
        guard operationType == "insert", let fullDocument else { return nil }
        let insertedAt = wallTime ?? clusterTime.map { Date(timeIntervalSince1970: TimeInterval($0.timestamp)) }
        return IntakeSubmission(document: fullDocument, insertedAt: insertedAt)
    }
}

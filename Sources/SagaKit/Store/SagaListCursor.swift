import Foundation

/// The position after which a saga list page continues: a start time and an id, in list order.
///
/// Encoded as opaque text (`base64("<startedAt ms>:<id>")`); stores may use it to build
/// `(startedAt < t) OR (startedAt == t AND id < id)` queries.
public struct SagaListCursor: Sendable, Hashable {
    /// The last listed saga's start time.
    public let startedAt: Date
    /// The last listed saga's id.
    public let id: String

    /// Creates a cursor after the given saga.
    public init(startedAt: Date, id: String) {
        self.startedAt = SagaTime.truncated(startedAt)
        self.id = id
    }

    /// Decodes the opaque text; `nil` when it is not a cursor.
    public init?(encoded: String) {
        guard let data = Data(base64Encoded: encoded), let text = String(data: data, encoding: .utf8),
            let colon = text.firstIndex(of: ":"), let millis = Int64(text[..<colon])
        else { return nil }
        self.init(startedAt: SagaTime.date(milliseconds: millis), id: String(text[text.index(after: colon)...]))
    }

    /// The opaque text.
    public var encoded: String {
        Data("\(SagaTime.milliseconds(startedAt)):\(id)".utf8).base64EncodedString()
    }

    /// Whether a saga started at `startedAt` with `id` comes after this cursor in list order (newest first, ids descending).
    public func precedes(startedAt other: Date, id otherId: String) -> Bool {
        let mine = SagaTime.milliseconds(startedAt)
        let theirs = SagaTime.milliseconds(other)
        return theirs < mine || (theirs == mine && otherId < id)
    }
}

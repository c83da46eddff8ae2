/// Where a consumer of an outside feed (a database change stream) keeps its position: workflow state, kept
/// beside the histories it leads to.
///
/// A position is opaque bytes (a change stream's resume token as BSON). A consumer saves one only after what
/// came before it is durably handled, so resuming from a saved position loses nothing.
///
/// ```swift
/// let saved = try await positions.position(of: "order_intake")
/// try await positions.save(token.bsonBytes, of: "order_intake")
/// ```
public protocol StreamPositionStore: Sendable {
    /// The last position saved for `stream`, or nil when there is none.
    func position(of stream: String) async throws -> [UInt8]?

    /// Saves `position` as the place `stream` resumes from.
    func save(_ position: [UInt8], of stream: String) async throws
}

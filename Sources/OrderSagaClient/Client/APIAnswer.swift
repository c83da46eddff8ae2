import Foundation

/// A successful answer: the decoded value, and the body as the service sent it.
public struct APIAnswer<Value: Sendable>: Sendable {
    /// The body, decoded.
    public let value: Value
    /// The body's bytes, for printing the API's JSON unchanged.
    public let body: Data
    /// The HTTP status (200, 202).
    public let status: Int
}

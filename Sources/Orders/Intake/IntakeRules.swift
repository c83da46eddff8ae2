import SagaKit

/// How intake documents are judged: the same rules `POST /v1/orders` applies, handed in by the service that owns
/// them, so the two never drift apart.
///
/// ```swift
/// let rules = IntakeRules(
///     readRequest: { json in Result { try OrderRequest(json: json) }.mapError(rejection) },
///     placementRefusal: { error in rejection(for: error) })
/// ```
public struct IntakeRules: Sendable {
    /// Reads a document's body (without its `_id`) as a place-order request, or names every invalid field.
    public var readRequest: @Sendable (JSONValue) -> Result<OrderRequest, IntakeRejection>
    /// The fields a placement the business refused names (unknown SKUs, mixed currencies); nil for a refusal that
    /// is not about the document (one that may pass when tried again).
    public var placementRefusal: @Sendable (PlacementError) -> IntakeRejection?

    /// Creates the rules.
    public init(
        readRequest: @escaping @Sendable (JSONValue) -> Result<OrderRequest, IntakeRejection>,
        placementRefusal: @escaping @Sendable (PlacementError) -> IntakeRejection?
    ) {
        self.readRequest = readRequest
        self.placementRefusal = placementRefusal
    }
}

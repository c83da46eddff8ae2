/// A request body that cannot be acted on; answered with 400 `{error: "bad_request", message}`.
struct RequestValidationError: Error, Sendable, Equatable {
    /// What is wrong, for the client.
    let message: String
}

/// One invalid field of an intake document, as a `422` names it: where (`items[0].quantity`) and what is wrong.
public struct IntakeFieldError: Codable, Sendable, Hashable {
    /// The field's dotted path (`/` for the document itself).
    public var field: String
    /// What is wrong with it.
    public var message: String

    /// Creates a field error.
    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }
}

/// Why an intake document cannot become an order: the fields a `POST /v1/orders` with the same body would be
/// refused for. The document is marked rejected with them and starts nothing.
public struct IntakeRejection: Error, Sendable, Hashable {
    /// The invalid fields, in the order validation found them.
    public var errors: [IntakeFieldError]

    /// Creates a rejection naming `errors`.
    public init(_ errors: [IntakeFieldError]) {
        self.errors = errors
    }
}

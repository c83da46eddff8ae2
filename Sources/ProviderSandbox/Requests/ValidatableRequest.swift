/// A decoded request body that checks the rules JSON decoding alone cannot express.
protocol ValidatableRequest: Decodable, Sendable {
    /// Throws ``RequestValidationError`` when a field is present but unacceptable.
    func validate() throws(RequestValidationError)
}

extension ValidatableRequest {
    /// Requires `value` to be a non-empty string of at most 256 characters.
    func requireText(_ value: String, named field: String) throws(RequestValidationError) {
        if value.isEmpty {
            throw RequestValidationError(message: "field '\(field)' must not be empty")
        }
        if value.count > 256 {
            throw RequestValidationError(message: "field '\(field)' must be at most 256 characters")
        }
    }
}

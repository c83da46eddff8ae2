/// One invalid field of a request: where (a dotted path such as `items[0].quantity`) and what is wrong.
struct FieldError: Codable, Sendable, Hashable {
    let field: String
    let message: String
}

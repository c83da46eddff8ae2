/// An idempotency key within its endpoint family: the unit under which a first answer is stored.
struct IdempotencyScope: Codable, Hashable, Sendable {
    /// The family whose key space the key belongs to.
    let family: EndpointFamily
    /// The key's text.
    let key: String

    /// Scopes `key` to `family`.
    init(_ family: EndpointFamily, _ key: String) {
        self.family = family
        self.key = key
    }
}

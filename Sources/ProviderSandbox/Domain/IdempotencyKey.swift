/// A client-chosen idempotency key: 1 to 255 visible ASCII characters (`!` through `~`).
struct IdempotencyKey: Hashable, Sendable {
    /// The largest number of characters a key may have.
    static let maximumLength = 255

    /// The key's text, exactly as the client sent it.
    let value: String

    /// Validates `text` as a key; `nil` when it is empty, too long, or holds anything but visible ASCII.
    init?(_ text: String) {
        let scalars = text.unicodeScalars
        guard !scalars.isEmpty, scalars.count <= Self.maximumLength,
            scalars.allSatisfy({ $0.value >= 0x21 && $0.value <= 0x7E })
        else { return nil }
        self.value = text
    }
}

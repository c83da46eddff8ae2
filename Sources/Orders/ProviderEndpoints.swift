/// Where the three providers are.
public struct ProviderEndpoints: Sendable, Hashable {
    /// The card gateway's base URL.
    public var payments: String
    /// The carrier's base URL.
    public var shipping: String
    /// The mailer's base URL.
    public var notify: String

    /// Creates the endpoints; trailing slashes are removed.
    public init(payments: String, shipping: String, notify: String) {
        func trimmed(_ url: String) -> String { url.hasSuffix("/") ? String(url.dropLast()) : url }
        self.payments = trimmed(payments)
        self.shipping = trimmed(shipping)
        self.notify = trimmed(notify)
    }

    /// All three at one base URL (the provider sandbox).
    public init(all base: String) {
        self.init(payments: base, shipping: base, notify: base)
    }
}

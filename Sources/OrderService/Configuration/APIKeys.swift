import Foundation

/// The API keys the service accepts: `API_KEYS=key:operator,key:customer,key:customer:c-42`.
struct APIKeys: Sendable {
    private let principals: [String: Principal]

    /// Why `API_KEYS` does not parse.
    struct ParseError: Error, CustomStringConvertible {
        let entry: String
        let reason: String
        var description: String { "API_KEYS entry \"\(entry.prefix(4))…\": \(reason)" }
    }

    /// The keys in `text`; entries are `key:operator`, `key:customer` or `key:customer:customerId`.
    init(parsing text: String) throws {
        var principals: [String: Principal] = [:]
        for entry in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !entry.isEmpty {
            let parts = entry.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard parts.count >= 2, let key = parts.first, key.count >= 8,
                key.utf8.allSatisfy({ (0x21...0x7E).contains($0) })
            else {
                throw ParseError(entry: entry, reason: "expected key:role with a key of at least 8 visible characters")
            }
            let principal: Principal
            switch (parts[1], parts.count) {
            case ("operator", 2):
                principal = Principal(role: .operator, boundCustomerId: nil, keyLabel: String(key.prefix(4)) + "…")
            case ("customer", 2):
                principal = Principal(role: .customer, boundCustomerId: nil, keyLabel: String(key.prefix(4)) + "…")
            case ("customer", 3) where !parts[2].isEmpty:
                principal = Principal(role: .customer, boundCustomerId: parts[2], keyLabel: String(key.prefix(4)) + "…")
            default:
                throw ParseError(entry: entry, reason: "the role must be operator, customer or customer:<customerId>")
            }
            guard principals[key] == nil else { throw ParseError(entry: entry, reason: "the key appears twice") }
            principals[key] = principal
        }
        guard !principals.isEmpty else { throw ParseError(entry: text, reason: "no keys") }
        self.principals = principals
    }

    /// A random operator key for development, when `API_KEYS` is not set.
    static func developmentKey() -> String {
        "dev-" + (0..<24).map { _ in String("abcdefghijkmnopqrstuvwxyz23456789".randomElement()!) }.joined()
    }

    /// The principal of `key`, or nil.
    func principal(for key: String) -> Principal? { principals[key] }
}

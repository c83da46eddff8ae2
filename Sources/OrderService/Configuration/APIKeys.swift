import Foundation

/// The API keys the service accepts: `API_KEYS=key:operator,key:viewer,key:customer,key:customer:c-42`.
struct APIKeys: Sendable {
    private let principals: [String: Principal]

    /// Why `API_KEYS` does not parse; names the entry by position so no key text reaches a log.
    struct ParseError: Error, CustomStringConvertible, Equatable {
        /// The 1-based position of the bad entry, or nil when the whole value is at fault.
        let entryNumber: Int?
        let reason: String
        var description: String {
            entryNumber.map { "API_KEYS entry \($0): \(reason)" } ?? "API_KEYS: \(reason)"
        }
    }

    /// The keys in `text`; entries are `key:role` (a role of `roles`: `operator`, `viewer`, `customer` or a custom
    /// one) or `key:customer:customerId`.
    init(parsing text: String, roles: [String: Role] = Role.builtIn) throws {
        var principals: [String: Principal] = [:]
        let entries = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        for (index, entry) in entries.enumerated() {
            let entryNumber = index + 1
            let parts = entry.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard parts.count >= 2, let key = parts.first, key.count >= 8,
                key.utf8.allSatisfy({ (0x21...0x7E).contains($0) })
            else {
                throw ParseError(
                    entryNumber: entryNumber, reason: "expected key:role with a key of at least 8 visible characters")
            }
            let label = Self.fingerprint(of: key)
            let principal: Principal
            switch (parts[1], parts.count) {
            case ("customer", 3) where !parts[2].isEmpty:
                principal = Principal(role: .customer, boundCustomerId: parts[2], actor: label)
            case (let name, 2) where roles[name] != nil:
                principal = Principal(role: roles[name]!, boundCustomerId: nil, actor: label)
            default:
                let names = roles.keys.sorted().joined(separator: ", ")
                throw ParseError(
                    entryNumber: entryNumber, reason: "the role must be one of \(names), or customer:<customerId>")
            }
            guard principals[key] == nil else {
                throw ParseError(entryNumber: entryNumber, reason: "the key appears twice")
            }
            principals[key] = principal
        }
        guard !principals.isEmpty else { throw ParseError(entryNumber: nil, reason: "no keys") }
        self.principals = principals
    }

    /// A random operator key for development, when `API_KEYS` is not set.
    static func developmentKey() -> String {
        "dev-" + (0..<24).map { _ in String("abcdefghijkmnopqrstuvwxyz23456789".randomElement()!) }.joined()
    }

    /// A stable, non-reversible name for `key` in logs: `key#` and 8 hex digits of its FNV-1a hash.
    static func fingerprint(of key: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash >> 32, radix: 16)
        return "key#" + String(repeating: "0", count: 8 - hex.count) + hex
    }

    /// The principal of `key`, or nil.
    func principal(for key: String) -> Principal? { principals[key] }
}

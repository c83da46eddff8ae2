import Foundation

/// Generates the `id` of ledger entries: a readable prefix and a random UUID, e.g. `ch_3f2a…`.
enum EntryIdentifier {
    /// Prefix of charge entries.
    static let charge = "ch"
    /// Prefix of refund entries.
    static let refund = "re"
    /// Prefix of shipment entries.
    static let shipment = "sh"
    /// Prefix of message entries.
    static let message = "msg"

    /// A new identifier with `prefix`.
    static func make(_ prefix: String) -> String {
        prefix + "_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
    }
}

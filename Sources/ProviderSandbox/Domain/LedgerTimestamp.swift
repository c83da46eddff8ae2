import Foundation

/// The `at` field of ledger entries: RFC 3339 in UTC with milliseconds, e.g. `2025-01-31T09:15:02.123Z`.
enum LedgerTimestamp {
    /// Formats `date` as an RFC 3339 timestamp with milliseconds.
    static func format(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}

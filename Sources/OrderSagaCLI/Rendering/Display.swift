import Foundation
import OrderSagaClient

/// How values look in tables.
enum Display {
    /// An RFC 3339 time as `2026-11-21 19:51:56Z` (UTC, to the second); text that is not a time, unchanged.
    static func time(_ text: String?) -> String? {
        guard let text else { return nil }
        let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        guard let date = (try? withFraction.parse(text)) ?? (try? Date.ISO8601FormatStyle().parse(text)) else {
            return text
        }
        return date.formatted(Date.ISO8601FormatStyle(dateTimeSeparator: .space, timeZone: .gmt))
    }

    /// `12.50 USD`; the amount exactly as the API wrote it.
    static func money(_ money: Money?) -> String? {
        money?.text
    }

    /// A number, or nothing.
    static func number<N: BinaryInteger>(_ value: N?) -> String? {
        value.map { "\($0)" }
    }
}

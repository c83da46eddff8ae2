import Foundation

/// The date text of JSON values: ISO-8601 in UTC with exactly three fractional digits.
///
/// ``JSONValue/init(encoding:)`` writes dates this way and ``JSONValue/decode(as:)`` reads them back, so a date
/// survives a round trip to the millisecond.
public enum JSONDate {
    /// `2025-01-02T03:04:05.678Z`: `date` rounded to the nearest millisecond, in UTC.
    public static func format(_ date: Date) -> String {
        let millis = milliseconds(date)
        let seconds = millis >= 0 ? millis / 1000 : (millis - 999) / 1000
        let fraction = millis - seconds * 1000
        let whole = Date(timeIntervalSince1970: Double(seconds))
        let text = whole.formatted(
            .iso8601.year().month().day().dateSeparator(.dash)
                .time(includingFractionalSeconds: false).timeSeparator(.colon).timeZone(separator: .omitted))
        let base = text.hasSuffix("Z") ? String(text.dropLast()) : text
        return base + "." + String(format: "%03d", Int(fraction)) + "Z"
    }

    /// Parses ISO-8601 with or without fractional seconds; the result is rounded to whole milliseconds.
    public static func parse(_ text: String) -> Date? {
        if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text) {
            return truncated(date)
        }
        if let date = try? Date.ISO8601FormatStyle().parse(text) {
            return truncated(date)
        }
        return nil
    }

    /// `date` rounded to the nearest whole millisecond since 1970.
    private static func truncated(_ date: Date) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds(date)) / 1000)
    }

    /// Milliseconds since 1970, rounded to the nearest.
    private static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }
}

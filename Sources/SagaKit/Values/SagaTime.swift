import Foundation

/// Time helpers shared by the engine and its stores: millisecond-exact dates and `Duration` arithmetic.
///
/// Every date the engine records is rounded to whole milliseconds, the precision of BSON dates,
/// so that a history read back from any store folds and replays to exactly the same values.
public enum SagaTime {
    /// `date` rounded to the nearest whole millisecond since 1970.
    public static func truncated(_ date: Date) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds(date)) / 1000)
    }

    /// Milliseconds since 1970, rounded to the nearest.
    public static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    /// The date `milliseconds` after 1970.
    public static func date(milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    /// A duration as whole milliseconds (rounded to the nearest).
    public static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + Int64((Double(attoseconds) / 1e15).rounded())
    }

    /// A duration as seconds.
    public static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// `date` moved forward by `duration`, millisecond-exact.
    public static func adding(_ duration: Duration, to date: Date) -> Date {
        Self.date(milliseconds: milliseconds(date) + milliseconds(duration))
    }

    /// The duration from `start` to `end` (negative when `end` is earlier), millisecond-exact.
    public static func interval(from start: Date, to end: Date) -> Duration {
        .milliseconds(milliseconds(end) - milliseconds(start))
    }

    /// `2025-01-02T03:04:05.678Z`: ISO-8601 in UTC with exactly three fractional digits (``JSONDate/format(_:)``).
    public static func format(_ date: Date) -> String {
        JSONDate.format(date)
    }

    /// Parses ISO-8601 with or without fractional seconds; the result is rounded to whole milliseconds.
    public static func parse(_ text: String) -> Date? {
        JSONDate.parse(text)
    }

    /// A short human form of a duration (`250ms`, `2s`, `1.5s`).
    public static func describe(_ duration: Duration) -> String {
        let millis = milliseconds(duration)
        if millis % 1000 == 0 { return "\(millis / 1000)s" }
        if millis < 1000 { return "\(millis)ms" }
        return "\(Double(millis) / 1000)s"
    }
}

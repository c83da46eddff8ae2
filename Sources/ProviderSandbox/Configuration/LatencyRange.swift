import Foundation

/// The latency added to each mutating call: a fixed number of milliseconds or a uniform random range.
public struct LatencyRange: Sendable, Equatable, CustomStringConvertible {
    /// No added latency.
    public static let none = LatencyRange(uncheckedMinimum: 0, maximum: 0)

    /// The shortest added latency, in milliseconds.
    public let minimumMilliseconds: Int
    /// The longest added latency, in milliseconds.
    public let maximumMilliseconds: Int

    /// A range from `minimumMilliseconds` to `maximumMilliseconds`; nil when negative or reversed.
    public init?(minimumMilliseconds: Int, maximumMilliseconds: Int) {
        guard minimumMilliseconds >= 0, maximumMilliseconds >= minimumMilliseconds else { return nil }
        self.init(uncheckedMinimum: minimumMilliseconds, maximum: maximumMilliseconds)
    }

    /// Parses `"250"` (always 250 ms) or `"100-400"` (uniformly 100 to 400 ms); nil when malformed.
    public init?(parsing text: String) {
        let bounds = text.split(separator: "-", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        switch bounds.count {
        case 1:
            guard let fixed = Int(bounds[0]) else { return nil }
            self.init(minimumMilliseconds: fixed, maximumMilliseconds: fixed)
        case 2:
            guard let minimum = Int(bounds[0]), let maximum = Int(bounds[1]) else { return nil }
            self.init(minimumMilliseconds: minimum, maximumMilliseconds: maximum)
        default:
            return nil
        }
    }

    private init(uncheckedMinimum: Int, maximum: Int) {
        self.minimumMilliseconds = uncheckedMinimum
        self.maximumMilliseconds = maximum
    }

    /// Whether no latency is added at all.
    public var isNone: Bool { maximumMilliseconds == 0 }

    /// The range as it is written in `SANDBOX_LATENCY_MS`.
    public var description: String {
        minimumMilliseconds == maximumMilliseconds
            ? "\(minimumMilliseconds)" : "\(minimumMilliseconds)-\(maximumMilliseconds)"
    }
}

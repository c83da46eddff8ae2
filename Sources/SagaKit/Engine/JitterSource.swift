import Foundation
import Synchronization

/// Where retry jitter comes from: the system's randomness, or a seeded sequence for reproducible tests.
///
/// ```swift
/// let jitter = JitterSource(seed: 42)   // the same delays every run
/// ```
public final class JitterSource: Sendable {
    private let generator: Mutex<SplitMix64?>

    /// Uses the system's random number generator.
    public init() {
        generator = Mutex(nil)
    }

    /// Uses a deterministic sequence derived from `seed`.
    public init(seed: UInt64) {
        generator = Mutex(SplitMix64(state: seed))
    }

    /// A uniform random number in 0…1.
    public func nextUnit() -> Double {
        generator.withLock { generator -> Double in
            if generator == nil {
                var system = SystemRandomNumberGenerator()
                return Double.random(in: 0...1, using: &system)
            }
            return Double.random(in: 0...1, using: &generator!)
        }
    }
}

/// SplitMix64: a small, fast, seedable generator.
struct SplitMix64: RandomNumberGenerator, Sendable {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}

import Foundation
import SagaKit
import Synchronization

/// Records every call of a test step or compensation: its name, idempotency key and attempt.
public final class EffectLog: Sendable {
    /// One call.
    public struct Entry: Sendable, Hashable {
        /// The step or compensation.
        public let name: String
        /// Its idempotency key.
        public let key: String
        /// The attempt.
        public let attempt: Int
    }

    private let entries = Mutex<[Entry]>([])

    /// Creates an empty log.
    public init() {}

    /// Records one call.
    public func record(_ name: String, key: String, attempt: Int) {
        entries.withLock { $0.append(Entry(name: name, key: key, attempt: attempt)) }
    }

    /// Every call, in order.
    public var all: [Entry] { entries.withLock { $0 } }

    /// Names in call order.
    public var names: [String] { all.map(\.name) }

    /// Names in call order, each name once (first call).
    public var distinctNames: [String] {
        var seen: Set<String> = []
        return names.filter { seen.insert($0).inserted }
    }

    /// How many calls `name` had.
    public func count(_ name: String) -> Int { all.filter { $0.name == name }.count }

    /// The idempotency keys of `name`'s calls, in order.
    public func keys(_ name: String) -> [String] { all.filter { $0.name == name }.map(\.key) }
}

import Foundation
import Synchronization

/// Records every call of a test step or compensation: its name, idempotency key and attempt.
final class EffectLog: Sendable {
    struct Entry: Sendable, Hashable {
        let name: String
        let key: String
        let attempt: Int
    }

    private let entries = Mutex<[Entry]>([])

    func record(_ name: String, key: String, attempt: Int) {
        entries.withLock { $0.append(Entry(name: name, key: key, attempt: attempt)) }
    }

    var all: [Entry] { entries.withLock { $0 } }

    /// Names in call order.
    var names: [String] { all.map(\.name) }

    /// Names in call order, each name once (first call).
    var distinctNames: [String] {
        var seen: Set<String> = []
        return names.filter { seen.insert($0).inserted }
    }

    func count(_ name: String) -> Int { all.filter { $0.name == name }.count }

    func keys(_ name: String) -> [String] { all.filter { $0.name == name }.map(\.key) }
}

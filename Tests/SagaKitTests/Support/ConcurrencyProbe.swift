import Foundation
import Synchronization

/// Counts how many attempts of each (saga, step) run at once, and the most ever seen.
final class ConcurrencyProbe: Sendable {
    private struct State {
        var running: [String: Int] = [:]
        var maximum = 0
    }

    private let state = Mutex(State())

    var maximum: Int { state.withLock { $0.maximum } }

    func around<T: Sendable>(_ key: String, _ body: () async throws -> T) async rethrows -> T {
        state.withLock { state in
            state.running[key, default: 0] += 1
            state.maximum = max(state.maximum, state.running[key] ?? 0)
        }
        defer { state.withLock { $0.running[key, default: 0] -= 1 } }
        return try await body()
    }
}

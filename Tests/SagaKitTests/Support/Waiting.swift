import Foundation

/// Waits (real time, bounded) until `condition` holds.
func waitUntil(timeout: Duration = .seconds(5), _ condition: () async throws -> Bool) async throws {
    let limit = ContinuousClock.now.advanced(by: timeout)
    while try await !condition() {
        guard ContinuousClock.now < limit else { throw ConditionTimeout() }
        try await Task.sleep(for: .milliseconds(2))
    }
}

struct ConditionTimeout: Error {}

extension Sequence where Element: Sendable {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}

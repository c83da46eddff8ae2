import Foundation

/// A failure ``InMemoryHistoryStore`` injects into appends, for tests.
public struct AppendFault: Sendable {
    /// Whether the append fails before anything is written, or is written and then reported as failed.
    public enum Timing: Sendable {
        /// Nothing is written.
        case beforeWrite
        /// The events are written, but the caller sees an error (an ambiguous write).
        case afterWrite
    }

    /// Which appends fail.
    public let matches: @Sendable (AppendRequest) -> Bool
    /// When the failure happens.
    public let timing: Timing
    /// The error thrown.
    public let error: HistoryStoreError
    /// How many more appends fail.
    public var remaining: Int

    /// A fault for appends `matches` selects.
    public init(
        timing: Timing = .beforeWrite,
        times: Int = 1,
        error: HistoryStoreError = .unavailable("injected fault"),
        matches: @escaping @Sendable (AppendRequest) -> Bool = { _ in true }
    ) {
        self.matches = matches
        self.timing = timing
        self.error = error
        self.remaining = times
    }

    /// A fault for appends carrying an event of `type`.
    public init(
        matching type: HistoryEvent.EventType,
        timing: Timing = .beforeWrite,
        times: Int = 1,
        error: HistoryStoreError = .unavailable("injected fault")
    ) {
        self.init(timing: timing, times: times, error: error) { request in
            request.events.contains { $0.type == type.rawValue }
        }
    }
}

extension InMemoryHistoryStore {
    /// Makes matching appends fail (see ``AppendFault``); faults are consulted in the order injected.
    public func injectAppendFault(_ fault: AppendFault) {
        faults.append(fault)
    }

    /// Removes every injected fault.
    public func clearFaults() {
        faults.removeAll()
    }

    func takeFault(for request: AppendRequest) -> AppendFault? {
        guard let index = faults.firstIndex(where: { $0.remaining > 0 && $0.matches(request) }) else { return nil }
        faults[index].remaining -= 1
        let fault = faults[index]
        if fault.remaining == 0 { faults.remove(at: index) }
        return fault
    }
}

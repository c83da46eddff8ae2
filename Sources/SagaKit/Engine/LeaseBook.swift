import Foundation
import Synchronization

/// What this executor knows about the leases it holds: until when, and whether a renewal found one lost.
///
/// Shared by the scheduler (which renews) and the saga runners (which check before starting an attempt);
/// a `Mutex` makes it safe to touch from any task without hopping onto the engine actor. Each holding of a lease
/// has its own generation, so the answer to a renewal asked for one holding never applies to the next: a saga let go
/// and taken again while the renewal's round trip ran is not marked lost by it.
final class LeaseBook: Sendable {
    struct Entry: Sendable {
        var until: Date
        var lost: Bool
        /// Which holding of the lease this is (a fresh one each time the saga is taken after being let go).
        var generation: UInt64
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var generations: UInt64 = 0
    }

    private let state = Mutex(State())

    /// Records that this executor holds `sagaId` until `until` (never moving an expiry backwards).
    func hold(_ sagaId: String, until: Date) {
        state.withLock { state in
            if let current = state.entries[sagaId] {
                state.entries[sagaId] = Entry(
                    until: max(current.until, until), lost: false, generation: current.generation)
            } else {
                state.generations += 1
                state.entries[sagaId] = Entry(until: until, lost: false, generation: state.generations)
            }
        }
    }

    /// Applies the result of a batched renewal asked for `asked` (each lease with the generation it had then):
    /// `renewed` now last until `until`; the rest of `asked` are lost. A lease let go and taken again since the
    /// renewal was asked is left as it is. Returns how many leases it marked lost.
    @discardableResult
    func applyRenewal(asked: [String: UInt64], renewed: Set<String>, until: Date) -> Int {
        state.withLock { state in
            var lost = 0
            for (id, generation) in asked {
                guard var entry = state.entries[id], entry.generation == generation else { continue }
                if renewed.contains(id) {
                    entry.until = max(entry.until, until)
                } else {
                    entry.lost = true
                    lost += 1
                }
                state.entries[id] = entry
            }
            return lost
        }
    }

    /// Forgets `sagaId`.
    func forget(_ sagaId: String) {
        _ = state.withLock { $0.entries.removeValue(forKey: sagaId) }
    }

    /// What is known about `sagaId`'s lease, if this executor holds it.
    func entry(_ sagaId: String) -> Entry? {
        state.withLock { $0.entries[sagaId] }
    }

    /// Every lease held and not known to be lost, by saga id, with its generation (what a renewal asks for).
    var held: [String: UInt64] {
        state.withLock { state in state.entries.filter { !$0.value.lost }.mapValues(\.generation) }
    }
}

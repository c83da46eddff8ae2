import Foundation
import Synchronization

/// What this executor knows about the leases it holds: until when, and whether a renewal found one lost.
///
/// Shared by the scheduler (which renews) and the saga runners (which check before starting an attempt);
/// a `Mutex` makes it safe to touch from any task without hopping onto the engine actor.
final class LeaseBook: Sendable {
    struct Entry: Sendable {
        var until: Date
        var lost: Bool
    }

    private let entries = Mutex<[String: Entry]>([:])

    /// Records that this executor holds `sagaId` until `until` (never moving an expiry backwards).
    func hold(_ sagaId: String, until: Date) {
        entries.withLock { entries in
            let current = entries[sagaId]?.until ?? until
            entries[sagaId] = Entry(until: max(current, until), lost: false)
        }
    }

    /// Applies the result of a batched renewal: `renewed` now last until `until`; the rest of `asked` are lost.
    func applyRenewal(asked: [String], renewed: Set<String>, until: Date) {
        entries.withLock { entries in
            for id in asked {
                guard var entry = entries[id] else { continue }
                if renewed.contains(id) {
                    entry.until = max(entry.until, until)
                } else {
                    entry.lost = true
                }
                entries[id] = entry
            }
        }
    }

    /// Forgets `sagaId`.
    func forget(_ sagaId: String) {
        _ = entries.withLock { $0.removeValue(forKey: sagaId) }
    }

    /// What is known about `sagaId`'s lease, if this executor holds it.
    func entry(_ sagaId: String) -> Entry? {
        entries.withLock { $0[sagaId] }
    }

    /// The ids of every lease held and not known to be lost.
    var heldIds: [String] {
        entries.withLock { entries in entries.filter { !$0.value.lost }.map(\.key).sorted() }
    }
}

import Synchronization

/// How many event streams each caller may hold open at once: one careless client (or a few hundred browser tabs)
/// cannot tie up the service; beyond the limit a stream is refused with 429.
final class StreamQuota: Sendable {
    /// The most open streams per caller.
    let limit: Int
    private let open = Mutex<[String: Int]>([:])

    init(limit: Int) { self.limit = limit }

    /// Takes a place for `caller`; `false` when it already holds `limit` streams.
    func acquire(_ caller: String) -> Bool {
        open.withLock { open in
            guard open[caller, default: 0] < limit else { return false }
            open[caller, default: 0] += 1
            return true
        }
    }

    /// Gives `caller`'s place back.
    func release(_ caller: String) {
        open.withLock { open in
            let left = open[caller, default: 1] - 1
            open[caller] = left > 0 ? left : nil
        }
    }
}

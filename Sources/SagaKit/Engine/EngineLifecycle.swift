import Foundation
import Synchronization

/// The engine's stop flags and the attempts that lost their race but still hold a task, readable from any task.
///
/// `Atomic` and `Mutex` make it safe to share between the engine, its runners and the deadline timer.
final class EngineLifecycle: Sendable {
    private static let stoppingBit: UInt8 = 1
    private static let crashedBit: UInt8 = 2

    private let flags = Atomic<UInt8>(0)
    private let attemptIds = Atomic<Int>(0)
    private let attempts = Mutex(Attempts())

    /// Running attempts, and those that ended before they were tracked.
    private struct Attempts {
        var running: [Int: Task<Void, Never>] = [:]
        var endedEarly: Set<Int> = []
    }

    /// Whether the engine takes no new work (a graceful shutdown or a crash).
    var isStopping: Bool { flags.load(ordering: .acquiring) & Self.stoppingBit != 0 }

    /// Whether the engine was hard-stopped: nothing may be written any more.
    var isCrashed: Bool { flags.load(ordering: .acquiring) & Self.crashedBit != 0 }

    /// Marks the engine as stopping; returns `false` when it already was.
    func beginStopping() -> Bool {
        let (old, _) = flags.bitwiseOr(Self.stoppingBit, ordering: .acquiringAndReleasing)
        return old & Self.stoppingBit == 0
    }

    /// Marks the engine as crashed (and stopping).
    func crash() {
        flags.bitwiseOr(Self.stoppingBit | Self.crashedBit, ordering: .acquiringAndReleasing)
    }

    /// An id no attempt of this engine had before.
    func nextAttemptId() -> Int { attemptIds.add(1, ordering: .relaxed).newValue }

    /// Tracks the task an attempt kept after its timeout or a hard stop came first, until the attempt returns (one
    /// that already returned is not tracked).
    func track(_ id: Int, _ task: Task<Void, Never>) {
        attempts.withLock { attempts in
            if attempts.endedEarly.remove(id) == nil { attempts.running[id] = task }
        }
    }

    /// Stops tracking an attempt; called from its task when it returns, possibly before ``track(_:_:)``.
    func untrack(_ id: Int) {
        attempts.withLock { attempts in
            if attempts.running.removeValue(forKey: id) == nil { attempts.endedEarly.insert(id) }
        }
    }

    /// How many attempts are tracked as running.
    var trackedAttempts: Int { attempts.withLock { $0.running.count + $0.endedEarly.count } }

    /// Cancels every tracked attempt; with `waiting`, also waits until each has returned (which needs attempts that
    /// honour cancellation).
    func cancelAttempts(waiting: Bool) async {
        let running = attempts.withLock { Array($0.running.values) }
        for task in running { task.cancel() }
        guard waiting else { return }
        for task in running { await task.value }
    }
}

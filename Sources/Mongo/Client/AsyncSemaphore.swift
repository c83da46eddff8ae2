import Synchronization

/// A counting semaphore whose waiters suspend instead of blocking a thread.
///
/// Used to bound how many pooled clients are checked out, so that popping a client
/// from libmongoc's pool never has to wait on a pool thread; with one permit, it is a lock held across suspensions.
public final class AsyncSemaphore: Sendable {
    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var available: Int
        var waiters: [Waiter] = []
        var nextID: UInt64 = 0
    }

    private enum Registration { case acquired, cancelled, waiting }

    private let state: Mutex<State>

    /// Creates a semaphore with `value` permits.
    public init(value: Int) {
        precondition(value > 0, "a semaphore needs at least one permit")
        state = Mutex(State(available: value))
    }

    /// Takes a permit, suspending until one is free; throws `CancellationError` if the task is cancelled while waiting.
    public func acquire() async throws {
        let id: UInt64? = state.withLock { state in
            if state.available > 0 {
                state.available -= 1
                return nil
            }
            state.nextID += 1
            return state.nextID
        }
        guard let id else { return }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let registration: Registration = state.withLock { state in
                    // The cancellation flag is set before `onCancel` runs, so checking it under the lock
                    // closes the window where the handler ran before this waiter was registered.
                    if Task.isCancelled { return .cancelled }
                    if state.available > 0 {
                        state.available -= 1
                        return .acquired
                    }
                    state.waiters.append(Waiter(id: id, continuation: continuation))
                    return .waiting
                }
                switch registration {
                case .acquired: continuation.resume()
                case .cancelled: continuation.resume(throwing: CancellationError())
                case .waiting: break
                }
            }
        } onCancel: {
            let cancelled = state.withLock { state -> CheckedContinuation<Void, any Error>? in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters.remove(at: index).continuation
            }
            cancelled?.resume(throwing: CancellationError())
        }
    }

    /// Returns a permit, waking the longest waiter if there is one.
    public func release() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, any Error>? in
            if state.waiters.isEmpty {
                state.available += 1
                return nil
            }
            return state.waiters.removeFirst().continuation
        }
        waiter?.resume()
    }
}

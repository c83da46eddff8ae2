import NIOPosix
import Synchronization

/// Counters that show where libmongoc's blocking calls ran; a test hook and an operator's gauge.
///
/// Every call into libmongoc goes through the client's blocking runtime, which records here
/// whether it ran on one of the client's pool threads and whether that thread was a SwiftNIO
/// event loop (it must never be).
public final class MongoDiagnostics: Sendable {
    private let blockingCalls = Atomic<Int>(0)
    private let callsOnEventLoop = Atomic<Int>(0)
    private let callsOffPool = Atomic<Int>(0)
    private let inFlight = Atomic<Int>(0)
    private let peakInFlight = Atomic<Int>(0)

    /// A point-in-time copy of the counters.
    public struct Snapshot: Sendable, Hashable {
        /// How many blocking libmongoc jobs have run.
        public var blockingCalls: Int
        /// How many of them ran on an event-loop thread (must be zero).
        public var callsOnEventLoop: Int
        /// How many of them ran on a thread that is not one of the client's pool threads (must be zero).
        public var callsOffPool: Int
        /// Operations in flight now (waiting for a client or running).
        public var inFlight: Int
        /// The most operations that were ever in flight at once.
        public var peakInFlight: Int
    }

    init() {}

    /// The current counters.
    public var snapshot: Snapshot {
        Snapshot(
            blockingCalls: blockingCalls.load(ordering: .relaxed),
            callsOnEventLoop: callsOnEventLoop.load(ordering: .relaxed),
            callsOffPool: callsOffPool.load(ordering: .relaxed),
            inFlight: inFlight.load(ordering: .relaxed),
            peakInFlight: peakInFlight.load(ordering: .relaxed)
        )
    }

    /// Records one blocking job on the current thread.
    func recordBlockingCall() {
        blockingCalls.wrappingAdd(1, ordering: .relaxed)
        if MultiThreadedEventLoopGroup.currentEventLoop != nil {
            callsOnEventLoop.wrappingAdd(1, ordering: .relaxed)
        }
        if !BlockingRuntime.isOnPoolThread {
            callsOffPool.wrappingAdd(1, ordering: .relaxed)
        }
    }

    func operationStarted() {
        let now = inFlight.wrappingAdd(1, ordering: .relaxed).newValue
        var peak = peakInFlight.load(ordering: .relaxed)
        while now > peak {
            let (exchanged, original) = peakInFlight.compareExchange(
                expected: peak, desired: now, ordering: .relaxed)
            if exchanged { break }
            peak = original
        }
    }

    func operationFinished() {
        inFlight.wrappingSubtract(1, ordering: .relaxed)
    }
}

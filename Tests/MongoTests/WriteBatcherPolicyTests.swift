import Testing

@testable import Mongo

/// When a write batcher sends a bulk write: at once when none runs, beside running ones only for a batch's worth.
@Suite("Write batcher: when a bulk write goes out")
struct WriteBatcherPolicyTests {
    private func sendsNow(inFlight: Int, waiting: Int) -> Bool {
        GroupCommitQueue<Int, Int>.sendsNow(inFlight: inFlight, waiting: waiting, maxInFlight: 2, parallelAfter: 64)
    }

    @Test("a write goes out at once when no bulk write runs: no latency added when idle")
    func idle() {
        #expect(sendsNow(inFlight: 0, waiting: 1))
        #expect(!sendsNow(inFlight: 0, waiting: 0), "nothing to send")
    }

    @Test("while one runs, writes wait to go out together until a batch's worth waits")
    func behindARunningWrite() {
        #expect(!sendsNow(inFlight: 1, waiting: 1))
        #expect(!sendsNow(inFlight: 1, waiting: 63))
        #expect(sendsNow(inFlight: 1, waiting: 64))
    }

    @Test("never more than maxInFlight at once, however many wait")
    func bounded() {
        #expect(!sendsNow(inFlight: 2, waiting: 1_000))
    }

}

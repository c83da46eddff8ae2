/// The queue group commit shares (``WriteBatcher``, ``WriteGroupBatcher``): items of concurrent callers go out
/// together, a batch at a time, and each caller hears what became of its own.
///
/// An item submitted while no batch is in flight goes out at once, alone; items submitted while one is in flight wait
/// and then go out together, up to `maxBatch` per batch. Another batch goes out beside the running ones (up to
/// `maxInFlight`) only once `parallelAfter` items wait, a full batch unless told otherwise: a server that takes one
/// command at a time gains nothing from a second small bulk write but loses the batching (measured on the local
/// server at 64 sagas in flight: 6.53 commands per saga with two small bulk writes in flight, 3.63 with one), while a
/// deployment busy enough to fill batches gets them written in parallel. Under load N callers' items cost one round
/// trip, without adding latency when idle.
actor GroupCommitQueue<Item: Sendable, Answer: Sendable> {
    /// What sending a batch did with one of its items.
    enum Settlement: Sendable {
        /// The caller's answer.
        case answered(Answer)
        /// The caller's error.
        case failed(any Error)
        /// Not sent after all (an ordered batch stopped before it): it goes out with the next batch.
        case unsent
    }

    private struct Pending {
        let item: Item
        let continuation: CheckedContinuation<Answer, any Error>
        /// Whether a batch carried it already and stopped before it.
        var resent = false
    }

    private let send: @Sendable ([Item]) async -> [Settlement]
    private let maxBatch: Int
    private let maxInFlight: Int
    private let parallelAfter: Int
    private let onWrite: (@Sendable (_ batchSize: Int) -> Void)?
    private var pending: [Pending] = []
    private var inFlight = 0

    /// Batches sent so far.
    private(set) var writes = 0

    /// A queue that hands each batch to `send`, which settles every item of it, in order: at most `maxBatch` items
    /// per batch and `maxInFlight` batches at once, a second one only while `parallelAfter` items (a full batch unless
    /// given) wait; `onWrite` hears how many items each batch sends for the first time.
    init(
        maxBatch: Int, maxInFlight: Int, parallelAfter: Int?, onWrite: (@Sendable (_ batchSize: Int) -> Void)?,
        send: @escaping @Sendable ([Item]) async -> [Settlement]
    ) {
        precondition(maxBatch > 0 && maxInFlight > 0, "a group commit needs room for one item")
        self.maxBatch = maxBatch
        self.maxInFlight = maxInFlight
        self.parallelAfter = max(1, parallelAfter ?? maxBatch)
        self.onWrite = onWrite
        self.send = send
    }

    /// Whether a batch goes out now, beside the `inFlight` running, with `waiting` items pending: always when none
    /// runs, and beside others only while a batch's worth waits.
    static func sendsNow(inFlight: Int, waiting: Int, maxInFlight: Int, parallelAfter: Int) -> Bool {
        guard waiting > 0 else { return false }
        return inFlight == 0 || (inFlight < maxInFlight && waiting >= parallelAfter)
    }

    /// Sends `item` with the next batch and returns its answer.
    func submit(_ item: Item) async throws -> Answer {
        try await withCheckedThrowingContinuation { continuation in
            pending.append(Pending(item: item, continuation: continuation))
            if Self.sendsNow(
                inFlight: inFlight, waiting: pending.count, maxInFlight: maxInFlight, parallelAfter: parallelAfter)
            {
                inFlight += 1
                Task { await drain() }
            }
        }
    }

    /// Sends batches until nothing is pending, or, while other batches run, until less than a batch's worth is (the
    /// last one running sends the rest).
    private func drain() async {
        while Self.sendsNow(
            inFlight: inFlight - 1, waiting: pending.count, maxInFlight: maxInFlight, parallelAfter: parallelAfter)
        {
            let batch = Array(pending.prefix(maxBatch))
            pending.removeFirst(batch.count)
            await write(batch)
        }
        inFlight -= 1
    }

    private func write(_ batch: [Pending]) async {
        writes += 1
        let fresh = batch.count { !$0.resent }
        if fresh > 0 { onWrite?(fresh) }
        let settlements = await send(batch.map(\.item))
        precondition(settlements.count == batch.count, "a batch settles each of its items")
        var unsent: [Pending] = []
        for (item, settlement) in zip(batch, settlements) {
            switch settlement {
            case .answered(let answer): item.continuation.resume(returning: answer)
            case .failed(let error): item.continuation.resume(throwing: error)
            case .unsent:
                var item = item
                item.resent = true
                unsent.append(item)
            }
        }
        pending.insert(contentsOf: unsent, at: 0)
    }
}

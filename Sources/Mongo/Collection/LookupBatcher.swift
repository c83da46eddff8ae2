/// Merges the look-ups by `_id` of concurrent callers into one `find` with `$in` (served by the `_id` index).
///
/// A look-up asked while fewer than `maxInFlight` finds are running goes out at once; look-ups asked while they all
/// run wait and then go out together, up to `maxIds` ids per find. Each caller gets the documents of its own ids.
public actor LookupBatcher<T: Codable & Sendable> {
    private typealias Pending = (ids: Set<BSONValue>, continuation: CheckedContinuation<[BSONValue: T], any Error>)

    private let collection: MongoCollection<T>
    private let identify: @Sendable (T) -> BSONValue
    private let maxIds: Int
    private let maxInFlight: Int
    private var pending: [Pending] = []
    private var inFlight = 0

    /// Finds sent so far.
    public private(set) var finds = 0

    /// A batcher for `collection`, whose documents `identify` gives the `_id` of.
    public init(
        _ collection: MongoCollection<T>, maxIds: Int = 1000, maxInFlight: Int = 2,
        identify: @escaping @Sendable (T) -> BSONValue
    ) {
        precondition(maxIds > 0 && maxInFlight > 0, "a look-up batcher needs room for one look-up")
        self.collection = collection
        self.identify = identify
        self.maxIds = maxIds
        self.maxInFlight = maxInFlight
    }

    /// The documents with these `_id`s, by `_id` (ids that match nothing are absent).
    public func documents(ids: Set<BSONValue>) async throws -> [BSONValue: T] {
        guard !ids.isEmpty else { return [:] }
        return try await withCheckedThrowingContinuation { continuation in
            pending.append((ids, continuation))
            if inFlight < maxInFlight {
                inFlight += 1
                Task { await drain() }
            }
        }
    }

    private func drain() async {
        while !pending.isEmpty {
            var batch: [Pending] = []
            var ids: Set<BSONValue> = []
            while let next = pending.first, batch.isEmpty || ids.count + next.ids.count <= maxIds {
                batch.append(pending.removeFirst())
                ids.formUnion(next.ids)
            }
            await find(ids, for: batch)
        }
        inFlight -= 1
    }

    private func find(_ ids: Set<BSONValue>, for batch: [Pending]) async {
        finds += 1
        do {
            let found = try await collection.find(["_id": ["$in": .array(Array(ids))]]).toArray()
            let byId = Dictionary(found.map { (identify($0), $0) }, uniquingKeysWith: { first, _ in first })
            for item in batch { item.continuation.resume(returning: byId.filter { item.ids.contains($0.key) }) }
        } catch {
            for item in batch { item.continuation.resume(throwing: error) }
        }
    }
}

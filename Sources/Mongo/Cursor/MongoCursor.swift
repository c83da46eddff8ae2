/// The results of a query, read lazily a batch at a time: an `AsyncSequence` of decoded documents.
///
/// The cursor keeps a pooled connection until it is exhausted or released; iterate it to the end,
/// or let it go out of scope, to give the connection back.
///
/// ```swift
/// for try await order in try await orders.find(["status": "open"]) { … }
/// let all = try await orders.find([:]).toArray()
/// ```
public struct MongoCursor<Element: Decodable & Sendable>: AsyncSequence, Sendable {
    let core: CursorCore?
    let firstBatch: [Document]
    let batchLimit: Int

    /// Reads the cursor's documents in order.
    public struct AsyncIterator: AsyncIteratorProtocol {
        var core: CursorCore?
        var buffer: [Document]
        var position = 0
        let batchLimit: Int

        /// The next document, or nil after the last.
        public mutating func next() async throws -> Element? {
            while position >= buffer.count {
                guard let core else { return nil }
                buffer = try await core.nextBatch(limit: batchLimit)
                position = 0
                if buffer.isEmpty {
                    self.core = nil
                    return nil
                }
            }
            defer { position += 1 }
            return try MongoCollection<Document>.decode(Element.self, buffer[position])
        }
    }

    /// Starts reading from the first document.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(core: core, buffer: firstBatch, batchLimit: batchLimit)
    }

    /// Every remaining document, in order.
    public func toArray() async throws -> [Element] {
        var all: [Element] = []
        for try await element in self { all.append(element) }
        return all
    }
}

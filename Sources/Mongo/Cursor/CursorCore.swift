import CMongoc
import Synchronization

/// A libmongoc cursor and the client it runs on; reads documents a batch per thread hop.
///
/// The cursor pointer is touched only inside `client.withClient`, which serialises use of the client
/// (and so of this cursor) under a lock; `state` guards the pointer itself. That is why this class
/// can be `Sendable`.
final class CursorCore: @unchecked Sendable {
    private struct State {
        var cursor: UnsafeSendablePointer?
    }

    /// The cursor's client: leased for this cursor alone, or borrowed from a session.
    let client: LeasedClient
    private let ownsClient: Bool
    private let state: Mutex<State>

    init(cursor: OpaquePointer, client: LeasedClient, ownsClient: Bool) {
        self.client = client
        self.ownsClient = ownsClient
        self.state = Mutex(State(cursor: UnsafeSendablePointer(cursor)))
    }

    /// Creates a cursor with `make` and reads its first batch, all in one thread hop.
    ///
    /// When that fails (the server unreachable, say), a client the cursor owns goes back to the pool at once.
    static func open(
        client: LeasedClient, ownsClient: Bool, batchLimit: Int,
        make: @escaping @Sendable (OpaquePointer) throws -> OpaquePointer
    ) async throws -> (CursorCore?, [Document]) {
        let (cursor, batch, exhausted): (UnsafeSendablePointer?, [Document], Bool)
        do {
            (cursor, batch, exhausted) = try await client.withClient { client in
                let cursor = try make(client)
                do {
                    let (batch, exhausted) = try Self.read(cursor, limit: batchLimit)
                    if exhausted { mongoc_cursor_destroy(cursor) }
                    return (exhausted ? nil : UnsafeSendablePointer(cursor), batch, exhausted)
                } catch {
                    mongoc_cursor_destroy(cursor)
                    throw error
                }
            }
        } catch {
            if ownsClient { client.release() }
            throw error
        }
        guard !exhausted, let cursor else {
            if ownsClient { client.release() }
            return (nil, batch)
        }
        return (CursorCore(cursor: cursor.pointer, client: client, ownsClient: ownsClient), batch)
    }

    /// Reads up to `limit` documents; an empty array means the cursor is exhausted (and closed).
    func nextBatch(limit: Int) async throws -> [Document] {
        guard state.withLock({ $0.cursor != nil }) else { return [] }
        let result: (batch: [Document], exhausted: Bool) = try await client.withClient { [self] _ in
            try state.withLock { state in
                guard let cursor = state.cursor?.pointer else { return ([], true) }
                let (batch, exhausted) = try Self.read(cursor, limit: limit)
                if exhausted {
                    mongoc_cursor_destroy(cursor)
                    state.cursor = nil
                }
                return (batch, exhausted)
            }
        }
        if result.exhausted { close() }
        return result.batch
    }

    /// Reads up to `limit` documents from `cursor`; throws the cursor's error if it failed.
    static func read(_ cursor: OpaquePointer, limit: Int) throws -> (batch: [Document], exhausted: Bool) {
        var batch: [Document] = []
        var current: OpaquePointer?
        while batch.count < limit {
            guard mongoc_cursor_next(cursor, &current) else {
                var error = bson_error_t()
                var reply: OpaquePointer?
                if mongoc_cursor_error_document(cursor, &error, &reply) {
                    throw MongoError(driverError: error, reply: reply.map { Document(copying: $0) })
                }
                return (batch, !mongoc_cursor_more(cursor))
            }
            if let current { batch.append(Document(copying: current)) }
        }
        return (batch, false)
    }

    /// Frees the cursor (telling the server) and gives the client back when the cursor owns it.
    func close() {
        let cursor = state.withLock { state -> UnsafeSendablePointer? in
            defer { state.cursor = nil }
            return state.cursor
        }
        if ownsClient {
            client.release { _ in if let cursor { mongoc_cursor_destroy(cursor.pointer) } }
        } else if let cursor {
            client.runDetachedWithClient { _ in mongoc_cursor_destroy(cursor.pointer) }
        }
    }

    deinit {
        close()
    }
}

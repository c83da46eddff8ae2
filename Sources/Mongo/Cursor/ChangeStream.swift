import CMongoc
import Synchronization

/// A live feed of changes to a collection: an `AsyncSequence` that waits for the next change.
///
/// It holds a pooled connection until it is closed or released. Each wait for new changes lasts
/// at most `maxAwaitTime` on a pool thread, between which the stream notices task cancellation
/// (iteration then ends). libmongoc resumes by itself after transient errors; to continue after a
/// restart, keep `resumeToken` and pass it as `resumeAfter`.
///
/// ```swift
/// let stream = try await orders.watch()
/// for try await change in stream { print(change.operationType, change.documentKey ?? [:]) }
/// ```
public final class ChangeStream<Element: Decodable & Sendable>: AsyncSequence, Sendable {
    private let client: LeasedClient
    private let stream: Mutex<UnsafeSendablePointer?>
    private let latestToken = Mutex<Document?>(nil)

    init(client: LeasedClient, stream: UnsafeSendablePointer, initialToken: Document?) {
        self.client = client
        self.stream = Mutex(stream)
        latestToken.withLock { $0 = initialToken }
    }

    /// The token to resume after the last change read (or the stream's start), if the server gave one.
    public var resumeToken: Document? { latestToken.withLock { $0 } }

    /// Waits for the next change; nil when the task was cancelled or the stream was closed.
    public func next() async throws -> Element? {
        while !Task.isCancelled {
            let outcome: (document: Document?, token: Document?, open: Bool)
            do {
                outcome = try await waitOnce()
            } catch is CancellationError {
                return nil
            }
            if let token = outcome.token { latestToken.withLock { $0 = token } }
            guard outcome.open else { return nil }
            if let document = outcome.document {
                return try MongoCollection<Document>.decode(Element.self, document)
            }
        }
        return nil
    }

    /// Waits once, at most `maxAwaitTime`, for the next change: nil when none came in that time (the resume token
    /// may still have moved past changes the pipeline filtered out). Throws `CancellationError` when the task was
    /// cancelled or the stream closed, so a consumer can take what is buffered in batches without blocking for more.
    ///
    /// ```swift
    /// var batch: [ChangeEvent<Document>] = []
    /// while batch.count < 100, let change = try await stream.tryNext() { batch.append(change) }
    /// ```
    public func tryNext() async throws -> Element? {
        try Task.checkCancellation()
        let outcome = try await waitOnce()
        if let token = outcome.token { latestToken.withLock { $0 = token } }
        guard outcome.open else { throw CancellationError() }
        return try outcome.document.map { try MongoCollection<Document>.decode(Element.self, $0) }
    }

    /// One server wait for a change (at most `maxAwaitTime`): the change if one came, the latest resume token,
    /// and whether the stream is still open. A cancelled task's wait is dropped before it starts.
    private func waitOnce() async throws -> (document: Document?, token: Document?, open: Bool) {
        try await client.withClient { [self] _ in
            try self.stream.withLock { pointer in
                guard let pointer else { return (nil, nil, false) }
                var current: OpaquePointer?
                let found = mongoc_change_stream_next(pointer.pointer, &current)
                let token = mongoc_change_stream_get_resume_token(pointer.pointer).map { Document(copying: $0) }
                if found, let current { return (Document(copying: current), token, true) }
                var error = bson_error_t()
                var reply: OpaquePointer?
                if mongoc_change_stream_error_document(pointer.pointer, &error, &reply) {
                    throw MongoError(driverError: error, reply: reply.map { Document(copying: $0) })
                }
                return (nil, token, true)
            }
        }
    }

    /// Stops the stream and gives its connection back; safe to call twice.
    public func close() {
        let pointer = stream.withLock { pointer -> UnsafeSendablePointer? in
            defer { pointer = nil }
            return pointer
        }
        client.release { _ in if let pointer { mongoc_change_stream_destroy(pointer.pointer) } }
    }

    deinit {
        close()
    }

    /// Iterates the stream's changes.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let stream: ChangeStream<Element>

        /// The next change.
        public func next() async throws -> Element? { try await stream.next() }
    }

    /// Iterates the stream's changes.
    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(stream: self) }
}

extension MongoCollection {
    /// Opens a change stream on this collection, filtered or reshaped by `pipeline`.
    public func watch(
        _ pipeline: [Document] = [], options: ChangeStreamOptions = ChangeStreamOptions()
    ) async throws -> ChangeStream<ChangeEvent<T>> {
        try await watch(pipeline, options: options, as: ChangeEvent<T>.self)
    }

    /// Opens a change stream whose events decode as `E` (for pipelines that reshape them).
    public func watch<E: Decodable & Sendable>(
        _ pipeline: [Document], options: ChangeStreamOptions = ChangeStreamOptions(), as type: E.Type
    ) async throws -> ChangeStream<E> {
        let stages: Document = ["pipeline": .array(pipeline.map(BSONValue.document))]
        let streamOptions = Self.merge(readOptions, options.document)
        let target = (database.name, name)
        let (lease, opened) = try await client.pool.lease { client in
            try DriverCall.withCollection(client, database: target.0, collection: target.1) { collection in
                try stages.withUnsafeBSONPointer { stages in
                    try streamOptions.withUnsafeBSONPointer { options in
                        guard let stream = mongoc_collection_watch(collection, stages, options) else {
                            throw MongoError(.driver, message: "cannot open a change stream")
                        }
                        var error = bson_error_t()
                        var reply: OpaquePointer?
                        if mongoc_change_stream_error_document(stream, &error, &reply) {
                            let failure = MongoError(driverError: error, reply: reply.map { Document(copying: $0) })
                            mongoc_change_stream_destroy(stream)
                            throw failure
                        }
                        let token = mongoc_change_stream_get_resume_token(stream).map { Document(copying: $0) }
                        return (UnsafeSendablePointer(stream), token)
                    }
                }
            }
        }
        return ChangeStream(client: lease, stream: opened.0, initialToken: opened.1)
    }
}

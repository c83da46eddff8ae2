import Foundation
import Logging
import Mongo
import SagaKit
import Synchronization

/// The saga engine's ``HistoryStore`` on MongoDB: one document per saga in a database of its own.
///
/// Layout (see ``SagaDocument``): the saga's summary fields, lease and due time, its history as an
/// `events` array and its signal inbox as an `inbox` array, all in one document, so that every append
/// is a single atomic conditional update. Indexes: `{status, listKey}` and `{listKey}` for lists,
/// `{definition, version, dueAt}` for due work, a sparse `{lastSignalAt}` for the signals' audit trail.
///
/// Round trips: starting a saga is one insert; each append is one write, and appends from concurrent
/// sagas share a bulk write (group commit, see ``GroupCommitter``); taking a lease is one
/// findAndModify; renewing every lease an executor holds is one update plus one read. A saga's happy
/// path of four steps therefore costs five writes, fewer under load as they are batched.
///
/// ```swift
/// let store = MongoHistoryStore(client: client, databaseName: "saga_history")
/// try await store.prepare()
/// ```
public final class MongoHistoryStore: HistoryStore {
    let sagas: MongoCollection<Document>
    /// The same collection read at majority: what a conflict is decided on (a write acknowledged with a
    /// write-concern error is visible locally but may still be rolled back).
    let committed: MongoCollection<Document>
    /// Starts and appends of concurrent sagas, group-committed.
    let writes: WriteBatcher<Document>
    /// Starts and appends that follow business writes (outcome writes), group-committed in ordered bulk
    /// writes across collections; nil unless asked for.
    let groups: WriteGroupBatcher?
    /// Whether ``groups`` is asked for and the deployment takes it (found by ``prepare()``).
    private let groupsTaken = Atomic<Bool>(false)
    /// The counts by status as of a position in the sagas' change stream (see ``countsByStatus()``).
    let counts: MongoCollection<Document>
    /// Lets one read of the counts run at a time.
    let countsReads = AsyncSemaphore(value: 1)
    let changes: SagaChangeFeed
    let watchers: SagaWatchHub
    let clock: any SagaClock
    let logger: Logger

    /// Creates a store in `databaseName`; call ``prepare()`` once before use to create its indexes.
    ///
    /// With `takingOutcomeWrites`, for business data on the same deployment, the store makes outcome writes
    /// (`[NamespacedWrite]`) with starts and appends in one command each (``HistoryStore/append(_:after:)``), once ``prepare()`` found
    /// that the deployment takes writes across collections (MongoDB 8.0).
    public init(
        client: MongoClient,
        databaseName: String,
        clock: any SagaClock = SystemClock(),
        writeConcern: WriteConcern? = .majority,
        watchPollInterval: Duration = .seconds(15),
        maxWritesInFlight: Int = 2,
        takingOutcomeWrites: Bool = false,
        logger: Logger = Logger(label: "saga.history.mongo")
    ) {
        let collection = client.database(databaseName).collection("sagas", as: Document.self)
            .withWriteConcern(writeConcern)
        sagas = collection
        committed = collection.withReadConcern(.majority)
        counts = client.database(databaseName).collection("saga_counts", as: Document.self)
            .withWriteConcern(writeConcern)
        self.logger = logger
        writes = GroupCommit.batcher(for: collection, maxInFlight: maxWritesInFlight)
        groups =
            takingOutcomeWrites
            ? GroupCommit.groupBatcher(client: client, writeConcern: writeConcern, maxInFlight: maxWritesInFlight) : nil
        let changes = SagaChangeFeed(sagas: collection, logger: logger)
        self.changes = changes
        self.clock = clock
        watchers = SagaWatchHub(changes: changes, idleRead: watchPollInterval) { sagaId, after in
            try await Self.eventsAndStatus(in: collection, sagaId: sagaId, after: after)
        }
    }

    /// Creates the indexes the store's queries use and gives sagas stored before lists paged by `listKey` their key
    /// (idempotent).
    public func prepare() async throws {
        if groups != nil {
            groupsTaken.store(try await sagas.database.client.supportsBulkWriteAcrossCollections(), ordering: .relaxed)
        }
        try await backfillListKeys()
        try await backfillLastSignalTimes()
        // Earlier versions kept an index on `dueAt` alone, which no query uses now; every write paid for it.
        try await sagas.dropIndex(named: "dueAt")
        try await sagas.createIndexes([
            IndexModel(keys: ["status": 1, "listKey": -1], name: "status_listKey"),
            IndexModel(keys: ["listKey": -1], name: "listKey"),
            // The engine's due-saga poll: equality on the kind, a range on the due time (no `$in`, no `$or`, which
            // some planners scan for).
            IndexModel(keys: ["definition": 1, "version": 1, "dueAt": 1], name: "due_by_kind"),
            // Only sagas that received a signal: the audit trail reads those, not every saga.
            IndexModel(keys: [SagaDocument.Field.lastSignalAt: -1], name: "lastSignalAt", sparse: true),
        ])
    }

    /// Bulk writes sent for starts and appends so far, with their outcome writes or without (a gauge of group commit:
    /// fewer writes than appends under load).
    public var appendWrites: Int {
        get async { await writes.writes + (await groups?.writes ?? 0) }
    }

    // MARK: Start and append

    public var takesOutcomeWrites: Bool { groupsTaken.load(ordering: .relaxed) }

    public func startSaga(_ start: SagaStartRequest) async throws -> SagaStartOutcome {
        try await startSaga(start, making: nil)
    }

    public func startSaga(_ start: SagaStartRequest, after writes: any OutcomeWrites) async throws
        -> SagaStartOutcome
    {
        try await startSaga(start, making: try taken(writes))
    }

    public func append(_ request: AppendRequest) async throws {
        try await append(request, making: nil)
    }

    public func append(_ request: AppendRequest, after writes: any OutcomeWrites) async throws {
        try await append(request, making: try taken(writes))
    }

    /// `writes` as this store makes them (nil: none), or their refusal when it takes none or none of their type, so
    /// that the caller makes them itself.
    private func taken(_ writes: any OutcomeWrites) throws -> [NamespacedWrite]? {
        guard takesOutcomeWrites, let writes = writes as? [NamespacedWrite] else {
            throw HistoryStoreError.outcomeWritesRefused(
                HistoryStoreError.invalidRequest("this store takes no \(type(of: writes)) now (only [NamespacedWrite])")
            )
        }
        return writes.isEmpty ? nil : writes
    }

    /// `model`, made in the sagas collection.
    func onSagas(_ model: WriteModel<Document>) -> NamespacedWrite { NamespacedWrite(model, in: sagas) }

    /// The server codes that say a deployment does not take `bulkWrite` (no such command, a field it does not know,
    /// a feature not enabled at its feature compatibility version).
    static let bulkWriteMissingCodes: Set<Int> = [59, 115, 40415, 7_395_100]

    /// Sends `group` in the next ordered bulk write. A deployment that turns out not to take the command (a node of
    /// an older version after a failover, a feature compatibility version not yet raised) is asked no more, and the
    /// group is refused, so that the caller makes its writes itself.
    private func submit(_ group: [NamespacedWrite]) async throws -> WriteGroupBatcher.Outcome {
        try await mapped {
            do {
                return try await self.groups!.submit(group)
            } catch let error as MongoError where Self.bulkWriteMissingCodes.contains(error.code) {
                self.groupsTaken.store(false, ordering: .relaxed)
                self.logger.warning(
                    "the deployment does not take writes across collections; business writes go on their own",
                    metadata: ["error": "\(error)"])
                throw HistoryStoreError.outcomeWritesRefused(error)
            }
        }
    }

    /// Starts the saga, after `writes` when there are any.
    private func startSaga(_ start: SagaStartRequest, making writes: [NamespacedWrite]?) async throws
        -> SagaStartOutcome
    {
        guard let first = start.events.first, first.type == HistoryEvent.EventType.sagaStarted.rawValue else {
            throw HistoryStoreError.invalidRequest("a saga starts with a SagaStarted event")
        }
        try HistoryEvent.checkSequence(start.events, after: 0)
        do {
            let document = try SagaDocument.document(for: start)
            let refusal: BulkWriteError?
            if let writes {
                switch try await submit(writes + [onSagas(.insertOne(document))]) {
                case .applied: refusal = nil
                case .refused(let error) where error.index < writes.count:
                    throw HistoryStoreError.outcomeWritesRefused(MongoError(refusal: error))
                case .refused(let error): refusal = error
                }
            } else if case .refused(let error) = try await mapped({ try await self.writes.submit(.insertOne(document)) }
            ) {
                refusal = error
            } else {
                refusal = nil
            }
            if let refusal {
                throw refusal.kind == .duplicateKey ? DuplicateSaga() : HistoryStoreError.unavailable(refusal.message)
            }
        } catch is DuplicateSaga {
            guard let existing = try await load(sagaId: start.sagaId) else {
                throw HistoryStoreError.unavailable("saga \(start.sagaId) exists but cannot be read")
            }
            return .existing(existing)
        }
        changes.notify(start.sagaId)
        return .created(
            SagaRecord(
                id: start.sagaId, definitionName: start.definitionName, definitionVersion: start.definitionVersion,
                status: start.status, currentStep: start.currentStep, currentAttempt: start.currentAttempt,
                startedAt: SagaTime.truncated(start.startedAt),
                updatedAt: start.events.last?.at ?? start.startedAt, lastSeq: start.events.last?.seq ?? 0,
                leaseOwner: start.owner, leaseUntil: start.owner == nil ? nil : start.leaseUntil, dueAt: start.dueAt,
                inbox: [], events: start.events, input: start.input))
    }

    /// Appends, after `writes` when there are any.
    private func append(_ request: AppendRequest, making writes: [NamespacedWrite]?) async throws {
        do {
            try HistoryEvent.checkSequence(request.events, after: request.expectedSeq)
        } catch {
            // A request that is stale is reported as a conflict first, as the reference store does.
            if let current = try await loadCommitted(sagaId: request.sagaId),
                let reason = request.conflict(with: current)
            {
                throw HistoryStoreError.conflict(AppendConflict(reason: reason, current: current))
            }
            throw error
        }
        let (filter, update) = try SagaDocument.append(request)
        if let last = request.events.last { changes.appending(request.sagaId, upTo: last.seq) }
        defer { changes.appendEnded(request.sagaId) }
        let outcome: WriteBatcher<Document>.CompareAndSetOutcome
        if let writes {
            outcome = try await compareAndSet(filter: filter, update: update, after: writes, of: request)
        } else {
            outcome = try await mapped { try await self.writes.compareAndSet(filter: filter, update: update) }
        }
        switch outcome {
        case .applied:
            watchers.appended(request.sagaId, events: request.events, terminal: request.status.isTerminal)
        case .inserted(let stray):
            // There is no such saga: remove the document the upsert made (it has no definition).
            _ = try? await sagas.deleteOne(filter: ["_id": stray, SagaDocument.Field.definition: ["$exists": false]])
            throw HistoryStoreError.notFound(sagaId: request.sagaId)
        case .conditionFailed:
            guard let current = try await loadCommitted(sagaId: request.sagaId) else {
                throw HistoryStoreError.notFound(sagaId: request.sagaId)
            }
            // When the conditions hold now although they did not a moment ago, report the sequence as moved,
            // so the engine reloads and decides again from what is stored.
            let reason = request.conflict(with: current) ?? .staleSequence
            throw HistoryStoreError.conflict(AppendConflict(reason: reason, current: current))
        }
    }

    /// The append's compare-and-set, made after `writes` in one ordered bulk write; never inserts (a missing saga
    /// refuses the field its upsert would set on the new `_id`, and reads as a failed condition).
    ///
    /// A refused write leaves the append unmade. When that refusal comes on a retry of an append that had in fact
    /// landed (its writes were made then, so now they are refused), that is reported as the conflict it is, so the
    /// engine recognises its own write. A conflict therefore always means that every write was made.
    private func compareAndSet(
        filter: Document, update: Document, after writes: [NamespacedWrite], of request: AppendRequest
    ) async throws -> WriteBatcher<Document>.CompareAndSetOutcome {
        var update = update
        update["$setOnInsert"] = ["_id.notStored": true]
        switch try await submit(writes + [onSagas(.updateOne(filter: filter, update: update, upsert: true))]) {
        case .applied:
            return .applied
        case .refused(let error) where error.index < writes.count:
            if let current = try await loadCommitted(sagaId: request.sagaId), request.landed(in: current) {
                throw HistoryStoreError.conflict(AppendConflict(reason: .staleSequence, current: current))
            }
            throw HistoryStoreError.outcomeWritesRefused(MongoError(refusal: error))
        case .refused(let error):
            // The append's own condition failed, or the saga is missing (the guard refused its insert). A saga that is
            // there and as the append expects means the deployment refused the guard itself: make the writes apart.
            if error.code != 11000, let current = try await loadCommitted(sagaId: request.sagaId),
                request.conflict(with: current) == nil
            {
                groupsTaken.store(false, ordering: .relaxed)
                logger.warning(
                    "the deployment refused an append's guard; business writes go on their own",
                    metadata: ["error": "\(error.code) \(error.message)"])
                throw HistoryStoreError.outcomeWritesRefused(MongoError(refusal: error))
            }
            return .conditionFailed
        }
    }

    // MARK: Reads

    public func existingSagaIds(_ sagaIds: [String]) async throws -> Set<String> {
        guard !sagaIds.isEmpty else { return [] }
        let found = try await mapped {
            try await self.sagas.find(
                ["_id": ["$in": .array(sagaIds.map(BSONValue.string))]], options: FindOptions(projection: ["_id": 1])
            ).toArray()
        }
        return Set(found.compactMap { $0["_id"]?.stringValue })
    }

    public func load(sagaId: String) async throws -> SagaRecord? {
        guard let document = try await mapped({ try await self.sagas.findOne(["_id": .string(sagaId)]) }) else {
            return nil
        }
        return try SagaDocument.record(from: document)
    }

    /// The saga as a majority of the deployment has it (what a conflict, and a retry's "already written" check, are
    /// decided on).
    func loadCommitted(sagaId: String) async throws -> SagaRecord? {
        guard let document = try await mapped({ try await self.committed.findOne(["_id": .string(sagaId)]) }) else {
            return nil
        }
        return try SagaDocument.record(from: document)
    }

    public func events(sagaId: String, after seq: Int64) async throws -> [HistoryEvent] {
        try await eventsAndStatus(sagaId: sagaId, after: seq).events
    }

    /// Events after `seq` and the saga's status, read together.
    func eventsAndStatus(sagaId: String, after seq: Int64) async throws -> (events: [HistoryEvent], status: SagaStatus)
    {
        try await Self.eventsAndStatus(in: sagas, sagaId: sagaId, after: seq)
    }

    /// Events after `seq` and the saga's status, read together from `sagas` (one read, only the events wanted).
    static func eventsAndStatus(in sagas: MongoCollection<Document>, sagaId: String, after seq: Int64) async throws
        -> (events: [HistoryEvent], status: SagaStatus)
    {
        let skip = max(0, seq)
        let projection: Document = [
            "events": ["$slice": [.int64(skip), .int64(Int64(Int32.max))]],
            "status": 1, "seq": 1,
        ]
        guard
            let document = try await mapping({
                try await sagas.findOne(["_id": .string(sagaId)], projection: projection)
            })
        else { throw HistoryStoreError.notFound(sagaId: sagaId) }
        let (events, status) = try SagaDocument.history(from: document)
        return (events.filter { $0.seq > seq }, status)
    }

    /// One page through the `status_listKey` or `listKey` index, sorted by it, continuing after the cursor with a
    /// single range condition: a server that uses the index for the sort reads only the page. (The local server
    /// reads every match before it sorts: its cost still grows with the sagas of that status.)
    public func list(_ query: SagaListQuery) async throws -> SagaPage {
        var filter: Document = [:]
        if let status = query.status { filter[SagaDocument.Field.status] = .string(status.rawValue) }
        if let text = query.cursor {
            guard let cursor = SagaListCursor(encoded: text) else {
                throw HistoryStoreError.invalidRequest("bad cursor")
            }
            filter[SagaDocument.Field.listKey] = [
                "$lt": .string(SagaDocument.listKey(startedAt: cursor.startedAt, id: cursor.id))
            ]
        }
        let options = FindOptions(
            sort: [SagaDocument.Field.listKey: -1], limit: query.limit + 1, projection: SagaDocument.summaryProjection,
            hint: query.status == nil ? ["listKey": -1] : ["status": 1, "listKey": -1])
        let selection = filter
        let documents = try await mapped { try await self.sagas.find(selection, options: options).toArray() }
        let records = try documents.map(SagaDocument.record(from:)).sorted {
            ($0.startedAt, $0.id) > ($1.startedAt, $1.id)
        }
        let page = Array(records.prefix(query.limit))
        let next =
            records.count > query.limit
            ? page.last.map { SagaListCursor(startedAt: $0.startedAt, id: $0.id).encoded } : nil
        return SagaPage(items: page.map(\.summary), nextCursor: next)
    }

    /// The summaries of those of `sagaIds` that exist, in one `_id: {$in}` read of their summary fields.
    public func summaries(sagaIds: [String]) async throws -> [String: SagaSummary] {
        guard !sagaIds.isEmpty else { return [:] }
        let selection: Document = [SagaDocument.Field.id: ["$in": .array(sagaIds.map(BSONValue.string))]]
        let options = FindOptions(projection: SagaDocument.summaryProjection)
        let documents = try await mapped { try await self.sagas.find(selection, options: options).toArray() }
        var found: [String: SagaSummary] = [:]
        for document in documents {
            let summary = try SagaDocument.record(from: document).summary
            found[summary.id] = summary
        }
        return found
    }

    /// Sets `listKey` on sagas stored before it existed, a batch at a time.
    private func backfillListKeys() async throws {
        while true {
            let missing = try await mapped {
                try await self.sagas.find(
                    [SagaDocument.Field.listKey: ["$exists": false]],
                    options: FindOptions(limit: 500, projection: [SagaDocument.Field.startedAt: 1])
                ).toArray()
            }
            guard !missing.isEmpty else { return }
            let updates: [WriteModel<Document>] = missing.compactMap { document in
                guard let id = document["_id"]?.stringValue, let startedAt = document["startedAt"]?.dateValue else {
                    return nil
                }
                return .updateOne(
                    filter: ["_id": .string(id)],
                    update: [
                        "$set": [
                            SagaDocument.Field.listKey: .string(SagaDocument.listKey(startedAt: startedAt, id: id))
                        ]
                    ])
            }
            guard !updates.isEmpty else { return }
            try await mapped { _ = try await self.sagas.bulkWrite(updates, ordered: false) }
        }
    }

    // MARK: Leases, due work, signals

    /// Takes the lease in one `findAndModify` filtered by `_id` alone, so every server serves it from the `_id`
    /// index whatever the collection holds; whether the lease may be taken is decided inside the update (a
    /// pipeline with `$cond`), and again here from the document as it was, by the same rule.
    public func acquireLease(sagaId: String, owner: String, until: Date, now: Date) async throws -> SagaRecord? {
        let pipeline = Self.leaseAcquisition(owner: owner, until: until, now: now)
        let document = try await mapped {
            try await self.sagas.findOneAndUpdate(
                filter: [SagaDocument.Field.id: .string(sagaId)], pipeline: pipeline,
                options: FindOneAndUpdateOptions(returnDocument: .before))
        }
        // The document as it was; the lease was taken exactly when the same rule held for it.
        guard var record = try document.map(SagaDocument.record(from:)) else { return nil }
        let free = record.leaseOwner == nil || record.leaseOwner == owner || (record.leaseUntil ?? .distantPast) <= now
        guard free else { return nil }
        record.leaseOwner = owner
        record.leaseUntil = until
        return record
    }

    /// Takes the lease of a saga this process stored and has not seen change with one compare-and-set in the next
    /// group commit (filtered by `_id` with equality conditions: its `seq`, its inbox count, no owner); a saga that
    /// did change (a signal, another executor) is taken as ``acquireLease(sagaId:owner:until:now:)`` does.
    public func acquireLease(of known: SagaRecord, owner: String, until: Date, now: Date) async throws -> SagaRecord? {
        guard known.leaseOwner == nil else {
            return try await acquireLease(sagaId: known.id, owner: owner, until: until, now: now)
        }
        let filter: Document = [
            SagaDocument.Field.id: .string(known.id), SagaDocument.Field.seq: Condition.equals(.int64(known.lastSeq)),
            SagaDocument.Field.inboxCount: Condition.equals(.int64(Int64(known.inbox.count))),
            SagaDocument.Field.leaseOwner: .null,
        ]
        let update: Document = [
            "$set": [
                SagaDocument.Field.leaseOwner: .string(owner), SagaDocument.Field.leaseUntil: .datetime(until),
                SagaDocument.Field.dueAt: .datetime(until),
            ]
        ]
        switch try await mapped({ try await self.writes.compareAndSet(filter: filter, update: update) }) {
        case .applied:
            var record = known
            record.leaseOwner = owner
            record.leaseUntil = until
            return record
        case .conditionFailed:
            return try await acquireLease(sagaId: known.id, owner: owner, until: until, now: now)
        case .inserted(let stray):
            _ = try? await sagas.deleteOne(filter: ["_id": stray, SagaDocument.Field.definition: ["$exists": false]])
            return nil
        }
    }

    /// The update that takes a lease for `owner` if it is free, expired at `now` or already `owner`'s (applied to
    /// the saga's document, filtered by `_id` alone).
    static func leaseAcquisition(owner: String, until: Date, now: Date) -> [Document] {
        let takeable: BSONValue = [
            "$or": [
                ["$eq": [["$ifNull": ["$leaseOwner", .null]], .null]],
                ["$eq": ["$leaseOwner", .string(owner)]],
                ["$lte": ["$leaseUntil", .datetime(now)]],
            ]
        ]
        func ifTaken(_ value: BSONValue, else field: String) -> BSONValue {
            ["$cond": ["$__takeLease", value, .string("$" + field)]]
        }
        return [
            ["$set": ["__takeLease": takeable]],
            [
                "$set": [
                    SagaDocument.Field.leaseOwner: ifTaken(.string(owner), else: SagaDocument.Field.leaseOwner),
                    SagaDocument.Field.leaseUntil: ifTaken(.datetime(until), else: SagaDocument.Field.leaseUntil),
                    SagaDocument.Field.dueAt: ifTaken(.datetime(until), else: SagaDocument.Field.dueAt),
                ]
            ],
            ["$unset": "__takeLease"],
        ]
    }

    public func renewLeases(sagaIds: [String], owner: String, until: Date) async throws -> Set<String> {
        guard !sagaIds.isEmpty else { return [] }
        let filter: Document = [
            "_id": ["$in": .array(sagaIds.map(BSONValue.string))], "leaseOwner": Condition.equals(.string(owner)),
        ]
        try await mapped {
            _ = try await self.sagas.updateMany(
                filter: filter, update: ["$max": ["leaseUntil": .datetime(until), "dueAt": .datetime(until)]])
        }
        let held = try await mapped {
            try await self.sagas.find(filter, options: FindOptions(projection: ["_id": 1])).toArray()
        }
        return Set(held.compactMap { $0["_id"]?.stringValue })
    }

    public func releaseLease(sagaId: String, owner: String, dueAt: Date?) async throws {
        let update: Document =
            dueAt.map { ["$unset": ["leaseOwner": "", "leaseUntil": ""], "$set": ["dueAt": .datetime($0)]] }
            ?? ["$unset": ["leaseOwner": "", "leaseUntil": "", "dueAt": ""]]
        try await mapped {
            _ = try await self.sagas.updateOne(
                filter: ["_id": .string(sagaId), "leaseOwner": Condition.equals(.string(owner))], update: update)
        }
    }

    /// Served by the `due_by_kind` index: one query per runnable definition and version (none has an `$in` or
    /// `$or`, which some planners scan for), merged earliest first. A held lease keeps its saga due no earlier than
    /// the lease's end (``append(_:)``, ``acquireLease(sagaId:owner:until:now:)`` and
    /// ``renewLeases(sagaIds:owner:until:)`` keep it so), so the filter needs no condition on the lease; the few sagas
    /// written otherwise are checked here.
    public func dueSagas(now: Date, limit: Int, runnable: [String: Set<Int>]) async throws -> [String] {
        guard limit > 0 else { return [] }
        let kinds = runnable.keys.sorted().flatMap { name in
            runnable[name, default: []].sorted().map { (name: name, version: $0) }
        }
        var due: [(dueAt: Date, id: String)] = []
        for kind in kinds {
            // A signal makes a held saga due at once (its holder reads the inbox at its next append); such sagas
            // are skipped here, page after page, so they cannot take the places of those that are due.
            var after: Date?
            var found = 0
            for _ in 0..<4 {
                var filter = Self.dueFilter(now: now, definition: kind)
                if let after { filter[SagaDocument.Field.dueAt] = ["$gt": .datetime(after), "$lte": .datetime(now)] }
                let page = filter
                let documents = try await mapped {
                    try await self.sagas.find(
                        page,
                        options: FindOptions(
                            sort: [SagaDocument.Field.dueAt: 1, SagaDocument.Field.id: 1], limit: limit,
                            projection: [
                                SagaDocument.Field.dueAt: 1, SagaDocument.Field.leaseOwner: 1,
                                SagaDocument.Field.leaseUntil: 1,
                            ])
                    ).toArray()
                }
                for document in documents {
                    guard let id = document[SagaDocument.Field.id]?.stringValue,
                        let dueAt = document[SagaDocument.Field.dueAt]?.dateValue
                    else { continue }
                    after = dueAt
                    let leaseEnd = document[SagaDocument.Field.leaseUntil]?.dateValue ?? .distantPast
                    if document[SagaDocument.Field.leaseOwner]?.stringValue != nil, leaseEnd > now { continue }
                    due.append((dueAt, id))
                    found += 1
                }
                guard documents.count == limit, found < limit else { break }
            }
        }
        return due.sorted { ($0.dueAt, $0.id) < ($1.dueAt, $1.id) }.prefix(limit).map(\.id)
    }

    /// Sagas of one definition and version due by `now`.
    ///
    /// `dueAt` is bounded below as well as above: every ended saga has no due time, and an index (such as
    /// `due_by_kind`, which is not sparse) files those first, as nulls; with an upper bound alone the local server
    /// walks and decodes every one of them on each poll, under its global lock (a real `mongod` skips them either way).
    static func dueFilter(now: Date, definition: (name: String, version: Int)) -> Document {
        [
            SagaDocument.Field.definition: .string(definition.name),
            SagaDocument.Field.version: .int64(Int64(definition.version)),
            SagaDocument.Field.dueAt: ["$gte": .datetime(Date(timeIntervalSince1970: 0)), "$lte": .datetime(now)],
        ]
    }

    /// Pushes the signal in one update filtered by `_id` (and, with `condition`, equalities on `status`, `step` and
    /// `inboxCount`, which the `_id` look-up serves; `step: null` also matches a saga without the field).
    public func sendSignal(sagaId: String, signal: SagaSignalRecord, ifUnchangedSince condition: SignalCondition?)
        async throws -> Bool
    {
        let now = SagaTime.truncated(clock.now)
        var filter: Document = [SagaDocument.Field.id: .string(sagaId)]
        if let condition {
            filter[SagaDocument.Field.status] = Condition.equals(.string(condition.status.rawValue))
            filter[SagaDocument.Field.step] = Condition.equals(condition.currentStep.map(BSONValue.string) ?? .null)
            filter[SagaDocument.Field.inboxCount] = Condition.equals(.int64(Int64(condition.inboxCount)))
        }
        let update: Document = [
            "$push": ["inbox": try SagaDocument.signal(signal)],
            "$inc": ["inboxCount": 1],
            // Absent dueAt means "none": $min then sets it, and otherwise keeps the earlier of the two.
            "$min": ["dueAt": .datetime(now)],
            "$max": [SagaDocument.Field.lastSignalAt: .datetime(signal.at)],
        ]
        let result = try await mapped { [filter] in
            try await self.sagas.updateOne(filter: filter, update: update)
        }
        return result.matchedCount > 0
    }

    // MARK: Helpers

    /// A duplicate `_id` on insert: the saga exists already.
    struct DuplicateSaga: Error {}

    /// Runs a MongoDB operation, turning driver errors into ``HistoryStoreError``s.
    @discardableResult
    func mapped<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        try await Self.mapping(body)
    }

    /// Runs a MongoDB operation, turning driver errors into ``HistoryStoreError``s.
    @discardableResult
    static func mapping<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as MongoError where error.kind == .duplicateKey {
            throw DuplicateSaga()
        } catch let error as MongoError where error.kind == .bson {
            throw HistoryStoreError.invalidRequest("\(error)")
        } catch let error as MongoError {
            throw HistoryStoreError.unavailable("\(error)")
        }
    }

}

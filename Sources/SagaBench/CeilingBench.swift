import ArgumentParser
import Foundation
import Mongo
import Synchronization

/// Measures what the database itself allows: single operations and unordered bulk writes at several batch sizes,
/// each for a fixed time with concurrent workers, in a scratch database dropped at the end; then the sagas per
/// second those rates allow for a command mix per saga (the ceiling).
struct CeilingBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ceiling",
        abstract: "Measures the database's operation rates and the sagas per second they allow.",
        discussion: """
            The ceiling is 1 / Σ (commands of kind i per saga / round trips per second of kind i at its batch size), \
            from --mix-from (a saga-bench service --json file: its last run's commands per saga), --mix, or else \
            the lone saga's mix BENCHMARKS.md documents. Writes use the service's write concern: majority, journaled.
            """)

    @Option(help: "The deployment (default: $MONGODB_URI).")
    var mongodbUri = ProcessInfo.processInfo.environment["MONGODB_URI"] ?? ""
    @Option(help: "Seconds to measure each case.") var seconds = 3.0
    @Option(help: "Concurrent workers in each case.") var workers = 16
    @Option(help: "Batch sizes of the bulk writes.") var batchSizes = "1,2,4,8,16,32,64"
    @Option(help: "A saga-bench service --json file whose commands per saga make the mix (its last run).")
    var mixFrom: String?
    @Option(
        help: ArgumentHelp(
            "A mix of commands per saga: database.command=count[@batch], comma-separated.",
            valueName: "orders.update=2,saga_history.update=0.5@10"))
    var mix: String?
    @Option(help: "Only these cases (comma-separated names as in the report), for a quick check.") var only: String?
    @Option(help: "Write every figure to this JSON file.") var json: String?

    func validate() throws {
        guard !mongodbUri.isEmpty else { throw ValidationError("--mongodb-uri or MONGODB_URI is required") }
        guard seconds > 0, workers > 0, ServiceBench.integers(batchSizes) != nil else {
            throw ValidationError("seconds, workers and batch sizes must be positive")
        }
        if let mix { _ = try Mix(flags: mix) }
    }

    func run() async throws {
        let mix: Mix
        if let text = self.mix {
            mix = try Mix(flags: text)
        } else if let mixFrom {
            mix = try Mix(resultFile: mixFrom)
        } else {
            mix = .documentedLoneSaga
        }
        let client = try MongoClient(
            mongodbUri, options: MongoClientOptions(threads: max(8, workers), maxConnections: max(8, workers)))
        let database = client.database("saga_bench_ceiling_\(UInt64(Date().timeIntervalSince1970))")
            .withWriteConcern(.majority)
        let cases = Self.cases(batchSizes: ServiceBench.integers(batchSizes) ?? [1]).filter { candidate in
            only.map { $0.split(separator: ",").contains { candidate.name == $0 } } ?? true
        }
        var rates: [Rate] = []
        do {
            for candidate in cases {
                let rate = try await measure(candidate, in: database, client: client)
                rates.append(rate)
                FileHandle.standardError.write(
                    Data("\(candidate.name): \(Int(rate.operationsPerSecond)) ops/s\n".utf8))
            }
            try? await database.drop()
        } catch {
            try? await database.drop()
            await client.shutdown()
            throw error
        }
        await client.shutdown()
        let figures = Figures(
            workers: workers, seconds: seconds, rates: rates, mix: mix.entries, mixSource: mix.source,
            ceiling: Self.ceiling(mix: mix, rates: rates))
        print(figures.markdown)
        if let json { try ResultFile(mode: "ceiling", date: ResultFile.now, ceiling: figures).write(to: json) }
    }

    // MARK: The cases

    /// What a case's workers do, one operation (or one bulk write) at a time.
    enum Kind: String, Codable, CaseIterable {
        case insert
        /// `updateOne` on `_id` and a version (compare-and-set), `$inc` of the version.
        case update
        /// The same compare-and-set as an upsert, as the history store's group commit sends it.
        case upsert
        case findOneAndUpdate
        case findOne
    }

    struct Case {
        var kind: Kind
        /// nil: the single-operation call (`insertOne`, `updateOne`, …); a size: an unordered bulk write.
        var batch: Int?
        var name: String { batch.map { "bulk \(kind.rawValue) ×\($0)" } ?? kind.rawValue }
    }

    static func cases(batchSizes: [Int]) -> [Case] {
        Kind.allCases.map { Case(kind: $0, batch: nil) }
            + [Kind.insert, .update, .upsert].flatMap { kind in batchSizes.map { Case(kind: kind, batch: $0) } }
    }

    /// One case's rates.
    struct Rate: Codable {
        var name: String
        var kind: Kind
        var batch: Int?
        var operations: Int
        var roundTrips: Int
        var seconds: Double
        /// Operations that did not apply (a compare-and-set that missed); 0 unless something is wrong.
        var misses: Int
        var operationsPerSecond: Double
        var roundTripsPerSecond: Double

        init(name: String, kind: Kind, batch: Int?, operations: Int, roundTrips: Int, seconds: Double, misses: Int) {
            self.name = name
            self.kind = kind
            self.batch = batch
            self.operations = operations
            self.roundTrips = roundTrips
            self.seconds = seconds
            self.misses = misses
            operationsPerSecond = Double(operations) / max(seconds, 0.001)
            roundTripsPerSecond = Double(roundTrips) / max(seconds, 0.001)
        }
    }

    /// Documents each worker owns in the update cases: as many as the largest batch, so a batch never repeats one.
    private static let documentsPerWorker = 64

    /// Runs one case for `seconds` with `workers` workers.
    private func measure(_ candidate: Case, in database: MongoDatabase, client: MongoClient) async throws -> Rate {
        let collection = database.collection("c\(candidate.kind.rawValue)\(candidate.batch ?? 0)")
        let owned = max(Self.documentsPerWorker, candidate.batch ?? 1)
        if candidate.kind != .insert {
            let seeds: [Document] = (0..<workers * owned).map {
                ["_id": .string("w\($0 / owned)-\($0 % owned)"), "v": .int64(0)]
            }
            for start in stride(from: 0, to: seeds.count, by: 1000) {
                _ = try await collection.insertMany(Array(seeds[start..<min(start + 1000, seeds.count)]))
            }
        }
        let before = client.commandCounts
        let started = ContinuousClock.now
        let deadline = started + .milliseconds(Int(seconds * 1000))
        let (operations, misses) = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
            for worker in 0..<workers {
                group.addTask {
                    try await Self.work(
                        candidate, worker: worker, owned: owned, collection: collection, deadline: deadline)
                }
            }
            return try await group.reduce((0, 0)) { ($0.0 + $1.0, $0.1 + $1.1) }
        }
        let elapsed = (ContinuousClock.now - started).seconds
        let sent = client.commandCounts.subtracting(before).total(database: database.name)
        return Rate(
            name: candidate.name, kind: candidate.kind, batch: candidate.batch, operations: operations,
            roundTrips: sent, seconds: elapsed, misses: misses)
    }

    /// One worker's loop: operations until the deadline; returns how many it did and how many missed.
    private static func work(
        _ candidate: Case, worker: Int, owned: Int, collection: MongoCollection<Document>,
        deadline: ContinuousClock.Instant
    ) async throws -> (Int, Int) {
        var versions = [Int64](repeating: 0, count: owned)
        var next = 0
        var operations = 0
        var misses = 0
        var inserted = 0
        func id(_ index: Int) -> BSONValue { .string("w\(worker)-\(index)") }
        func freshId() -> BSONValue {
            inserted += 1
            return .string("n\(worker)-\(inserted)")
        }
        /// The next owned document, and the compare-and-set that moves its version on.
        func compareAndSet() -> (filter: Document, update: Document) {
            let index = next % owned
            next += 1
            defer { versions[index] += 1 }
            return (
                ["_id": id(index), "v": Condition.equals(.int64(versions[index]))],
                ["$inc": ["v": 1], "$set": ["at": .int64(Int64(next))]]
            )
        }
        while ContinuousClock.now < deadline {
            if let batch = candidate.batch {
                let models: [WriteModel<Document>] = (0..<batch).map { _ in
                    switch candidate.kind {
                    case .insert: return .insertOne(["_id": freshId(), "v": 0])
                    case .update, .findOneAndUpdate, .findOne:
                        let (filter, update) = compareAndSet()
                        return .updateOne(filter: filter, update: update)
                    case .upsert:
                        let (filter, update) = compareAndSet()
                        return .updateOne(filter: filter, update: update, upsert: true)
                    }
                }
                let result = try await collection.bulkWrite(models, ordered: false)
                let applied = candidate.kind == .insert ? result.insertedCount : result.matchedCount
                misses += batch - applied
                operations += batch
                continue
            }
            switch candidate.kind {
            case .insert:
                try await collection.insertOne(["_id": freshId(), "v": 0])
            case .update, .upsert:
                let (filter, update) = compareAndSet()
                let result = try await collection.updateOne(
                    filter: filter, update: update, options: UpdateOptions(upsert: candidate.kind == .upsert))
                if result.matchedCount != 1 { misses += 1 }
            case .findOneAndUpdate:
                let (filter, update) = compareAndSet()
                if try await collection.findOneAndUpdate(
                    filter: filter, update: update, options: FindOneAndUpdateOptions(returnDocument: .after)) == nil
                {
                    misses += 1
                }
            case .findOne:
                next += 1
                if try await collection.findOne(["_id": id(next % owned)]) == nil { misses += 1 }
            }
            operations += 1
        }
        return (operations, misses)
    }

    // MARK: The ceiling

    /// Commands per saga, by database and command, with the operations each carries (its batch size).
    struct Mix {
        struct Entry: Codable {
            var database: String
            var command: String
            var perSaga: Double
            var batch: Double
        }

        var entries: [Entry]
        var source: String

        /// The lone saga's round trips as BENCHMARKS.md tells them (11): placement reads the products, inserts the
        /// order and SagaStarted; the steps hold the product, insert the payment and the shipment, commit the
        /// hold; four appends.
        static let documentedLoneSaga = Mix(
            entries: [
                Entry(database: "orders", command: "find", perSaga: 1, batch: 1),
                Entry(database: "orders", command: "insert", perSaga: 3, batch: 1),
                Entry(database: "orders", command: "update", perSaga: 2, batch: 1),
                Entry(database: "saga_history", command: "insert", perSaga: 1, batch: 1),
                Entry(database: "saga_history", command: "update", perSaga: 4, batch: 1),
            ], source: "the lone saga's 11 round trips (BENCHMARKS.md)")

        /// `database.command=count[@batch]`, comma-separated.
        init(flags: String) throws {
            entries = try flags.split(separator: ",").map { item in
                let parts = item.split(separator: "=", maxSplits: 1)
                let name = parts.first.map(String.init) ?? ""
                let value = parts.count == 2 ? parts[1].split(separator: "@") : []
                guard let dot = name.firstIndex(of: "."), let count = value.first.flatMap({ Double($0) }) else {
                    throw ValidationError("--mix wants database.command=count[@batch], not \(item)")
                }
                let batch = value.count > 1 ? Double(value[1]) ?? 1 : 1
                return Entry(
                    database: String(name[..<dot]), command: String(name[name.index(after: dot)...]), perSaga: count,
                    batch: max(1, batch))
            }
            source = "--mix \(flags)"
        }

        /// The commands per saga of a service result file's last run, each write command carrying the operations
        /// per command it measured (files from before that was measured: the history database's updates carry the
        /// appends per bulk write, every other command one).
        init(resultFile path: String) throws {
            guard let run = try ResultFile.read(from: path).service?.last, !run.commandMix.isEmpty else {
                throw ValidationError("\(path) has no service run with commands per saga")
            }
            let historyBatch = max(1, (run.historyAppendsPerSaga ?? 1) / max(run.historyWritesPerSaga ?? 1, 0.001))
            entries = run.commandMix.sorted { $0.key < $1.key }.compactMap { name, perSaga in
                guard let dot = name.firstIndex(of: ".") else { return nil }
                let database = String(name[..<dot])
                let command = String(name[name.index(after: dot)...])
                let batch: Double
                if let operations = run.writeOperationMix?[name] {
                    batch = max(1, operations / max(perSaga, 0.001))
                } else {
                    batch = database == run.historyDatabase && command == "update" ? historyBatch : 1
                }
                return Entry(database: database, command: command, perSaga: perSaga, batch: batch)
            }
            source = "\(path) (concurrency \(run.concurrency), \(run.placed) orders)"
        }

        init(entries: [Entry], source: String) {
            self.entries = entries
            self.source = source
        }
    }

    /// What a mix entry costs per saga: its kind of case, the round trips per second there, and the seconds.
    struct Cost: Codable {
        var database: String
        var command: String
        var perSaga: Double
        var batch: Double
        var measuredAs: String
        var roundTripsPerSecond: Double
        var secondsPerSaga: Double
    }

    /// The case that stands for a command: writes by kind (a history update is the group commit's upsert, and so is a
    /// `bulkWrite` of a step's conditional writes with its append, at its writes per command), reads (find, aggregate,
    /// getMore, count, …) as `findOne`.
    static func kind(of entry: Mix.Entry) -> Kind {
        switch entry.command {
        case "insert": .insert
        case "bulkWrite": .upsert
        case "update", "delete": entry.database.contains("history") ? .upsert : .update
        case "findAndModify": .findOneAndUpdate
        default: .findOne
        }
    }

    /// Round trips per second of `kind` at `batch` operations per command: the single call at 1, else interpolated
    /// between the bulk sizes measured (the nearest beyond them).
    static func roundTripsPerSecond(_ kind: Kind, batch: Double, rates: [Rate]) -> (Double, String)? {
        if batch <= 1, let single = rates.first(where: { $0.kind == kind && $0.batch == nil }) {
            return (single.roundTripsPerSecond, single.name)
        }
        let bulks = rates.filter { $0.kind == kind && $0.batch != nil }.sorted { $0.batch! < $1.batch! }
        guard let first = bulks.first, let last = bulks.last else {
            return rates.first { $0.kind == kind }.map { ($0.roundTripsPerSecond, $0.name) }
        }
        if batch <= Double(first.batch!) { return (first.roundTripsPerSecond, first.name) }
        if batch >= Double(last.batch!) { return (last.roundTripsPerSecond, last.name) }
        for (low, high) in zip(bulks, bulks.dropFirst()) where batch <= Double(high.batch!) {
            let t = (batch - Double(low.batch!)) / Double(high.batch! - low.batch!)
            let rate = low.roundTripsPerSecond + t * (high.roundTripsPerSecond - low.roundTripsPerSecond)
            return (rate, "\(low.name) – ×\(high.batch!)")
        }
        return nil
    }

    /// Each entry's cost, and the sagas per second the database allows: 1 / Σ seconds per saga.
    static func ceiling(mix: Mix, rates: [Rate]) -> Ceiling {
        let costs: [Cost] = mix.entries.compactMap { entry in
            guard let (rate, name) = roundTripsPerSecond(kind(of: entry), batch: entry.batch, rates: rates), rate > 0
            else { return nil }
            return Cost(
                database: entry.database, command: entry.command, perSaga: entry.perSaga, batch: entry.batch,
                measuredAs: name, roundTripsPerSecond: rate, secondsPerSaga: entry.perSaga / rate)
        }
        let seconds = costs.map(\.secondsPerSaga).reduce(0, +)
        return Ceiling(costs: costs, sagasPerSecond: seconds > 0 ? 1 / seconds : nil)
    }

    struct Ceiling: Codable {
        var costs: [Cost]
        var sagasPerSecond: Double?
    }

    /// Everything `ceiling` measured and computed.
    struct Figures: Codable {
        var workers: Int
        var seconds: Double
        var rates: [Rate]
        var mix: [Mix.Entry]
        var mixSource: String
        var ceiling: Ceiling

        var markdown: String {
            var lines = [
                "Rates with \(workers) workers, \(format(seconds)) s per case, write concern majority + journaled:",
                "",
                "| case | operations/s | round trips/s | misses |",
                "| --- | --- | --- | --- |",
            ]
            for rate in rates {
                lines.append(
                    "| \(rate.name) | \(format(rate.operationsPerSecond)) | \(format(rate.roundTripsPerSecond)) | \(rate.misses) |"
                )
            }
            lines += [
                "", "Ceiling for the mix of \(mixSource):", "",
                "| command | per saga | ops per command | measured as | round trips/s | ms per saga |",
                "| --- | --- | --- | --- | --- | --- |",
            ]
            for cost in ceiling.costs {
                lines.append(
                    "| \(cost.database).\(cost.command) | \(format(cost.perSaga)) | \(format(cost.batch)) | \(cost.measuredAs) | \(format(cost.roundTripsPerSecond)) | \(format(cost.secondsPerSaga * 1000)) |"
                )
            }
            lines.append("")
            lines.append(
                "**Ceiling: \(ceiling.sagasPerSecond.map { format($0) } ?? "–") sagas/s** (1 / Σ ms per saga)")
            return lines.joined(separator: "\n")
        }

        private func format(_ value: Double) -> String {
            String(format: value < 10 ? "%.2f" : "%.1f", value)
        }
    }
}

import Foundation
import Mongo
import MongoTesting
import SagaKit
import Synchronization
import Testing

@testable import Orders

/// Random schedules of reserve, commit and release attempts of one order — repeated, overlapping, cut between
/// their writes, landing long after later attempts, with pruning running beside them, holds and commits made first
/// as the writes a step defers to its outcome (run again directly when refused) — against the live server: in every
/// one, stock ends exactly as after one clean run of the saga's final decisions.
@Suite("Inventory under any interleaving of attempts")
struct InventoryInterleavingTests {
    /// How a saga's run ended, and so what its clean run does to stock.
    enum Ending: CaseIterable {
        /// Reserved and shipped: the units are gone.
        case completed
        /// Reserved, then compensated.
        case compensatedAfterReserve
        /// Reserved, a shipment attempt of uncertain outcome (cut, timed out), then compensated.
        case compensatedAfterUncertainShipment
        /// Reserved, shipped, then refunded: the units come back.
        case refunded
        /// Cancelled while the reservation was still being retried: none of its attempts was recorded.
        case cancelledDuringReserve
    }

    enum Operation { case reserve, commit, release }

    /// Fencing tokens in issue order, as an executor's clock would hand them out, and the cutoff a pruner may use.
    final class TokenClock: Sendable {
        private let issued = Atomic<Int64>(0)
        func next() -> FencingToken {
            FencingToken(
                issuedAt: SagaTime.date(milliseconds: 1_800_000_000_000 + issued.add(1, ordering: .relaxed).newValue),
                seq: 1)
        }
        /// A moment well before the latest token, as a retention is well beyond an attempt's duration: markers
        /// settled before it may be pruned. (On a loaded machine an attempt can still outlast it and find its token
        /// below the horizon; like the engine, the schedule then retries it with a fresh token.)
        var pruneCutoff: Date {
            SagaTime.date(milliseconds: 1_800_000_000_000 + issued.load(ordering: .relaxed) - 3_000)
        }
    }

    /// A deterministic source of randomness (SplitMix64), so a failing schedule can be replayed from its seed.
    struct Random: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let skus = ["A", "B", "C", "D", "E", "F", "G", "H"]
    static let initialStock: Int64 = 1_000_000

    @Test("thousands of random schedules, stock conserved in every one")
    func randomSchedules() async throws {
        let schedules = Int(ProcessInfo.processInfo.environment["INTERLEAVING_SCHEDULES"] ?? "") ?? 2_000
        let seed = UInt64(ProcessInfo.processInfo.environment["INTERLEAVING_SEED"] ?? "") ?? 0x5A6A
        try await TestDeployment.withDatabase { database in
            let catalog = Catalog(database: database)
            let inventory = Inventory(database: database)
            let price = try Money(parsing: "1.00", currency: "USD")
            for sku in Self.skus {
                try await catalog.put(sku: sku, name: sku, price: price, stock: Self.initialStock)
            }
            let clock = TokenClock()
            let pruning = Task {
                while !Task.isCancelled {
                    _ = try? await inventory.prune(settledBefore: clock.pruneCutoff)
                    try? await Task.sleep(for: .milliseconds(50))
                }
            }
            var random = Random(state: seed)
            let plans = (0..<schedules).map { index in Self.plan(index: index, random: &random) }
            let taken = try await withThrowingTaskGroup(of: [String: Int64].self) { group in
                var taken: [String: Int64] = [:]
                var next = 0
                func add() {
                    let plan = plans[next]
                    next += 1
                    group.addTask { try await Self.run(plan, inventory: inventory, clock: clock) }
                }
                for _ in 0..<min(32, plans.count) { add() }
                while let result = try await group.next() {
                    for (sku, units) in result { taken[sku, default: 0] += units }
                    if next < plans.count { add() }
                }
                return taken
            }
            pruning.cancel()
            for sku in Self.skus {
                let product = try #require(try await catalog.product(sku))
                #expect(product.reserved == 0, "\(sku): no units stay reserved")
                #expect(
                    product.stock == Self.initialStock - taken[sku, default: 0],
                    "\(sku): stock equals the initial stock minus what completed orders took (seed \(seed))")
            }
            for plan in plans {
                for line in plan.lines {
                    let state = try await inventory.move(orderId: plan.orderId, sku: line.sku)?.state
                    let expected: StockMove.State = plan.ending == .completed ? .committed : .released
                    #expect(
                        state == expected,
                        "\(plan.orderId) \(line.sku) ends \(String(describing: state)), \(plan.ending)")
                }
            }
        }
    }

    /// One order's schedule: its lines, how its saga ended, and its attempts phase by phase.
    struct Plan: Sendable {
        struct Attempt: Sendable {
            let operation: Operation
            /// Only the first SKU's write happens (a crash or timeout between two writes).
            let cut: Bool
            /// A hold or commit tries the writes a step defers first (see ``perform(_:_:_:_:_:deferred:)``).
            let deferred: Bool
            /// How long a superseded attempt waits before acting (a frozen executor, a slow network).
            let delay: Duration
        }
        let orderId: String
        let lines: [Reservation.Line]
        let ending: Ending
        /// Per phase: the superseded attempts, and whether the phase ends with a recorded (complete) attempt.
        let phases: [(stale: [Attempt], recorded: Operation?)]
        /// Whether the recorded holds and commits try the deferred writes first.
        let recordedDeferred: Bool
    }

    static func plan(index: Int, random: inout Random) -> Plan {
        let first = Int.random(in: 0..<skus.count, using: &random)
        let second = (first + Int.random(in: 1..<skus.count, using: &random)) % skus.count
        let lines = [skus[first], skus[second]].map {
            Reservation.Line(sku: $0, quantity: Int64.random(in: 1...5, using: &random))
        }
        let ending = Ending.allCases.randomElement(using: &random)!
        func stale(_ operation: Operation) -> [Plan.Attempt] {
            (0..<Int.random(in: 0...3, using: &random)).map { _ in
                Plan.Attempt(
                    operation: operation, cut: Bool.random(using: &random), deferred: Bool.random(using: &random),
                    delay: .milliseconds(Int.random(in: 0...40, using: &random)))
            }
        }
        let phases: [(stale: [Plan.Attempt], recorded: Operation?)] =
            switch ending {
            case .completed: [(stale(.reserve), .reserve), (stale(.commit), .commit)]
            case .compensatedAfterReserve: [(stale(.reserve), .reserve), (stale(.release), .release)]
            case .compensatedAfterUncertainShipment:
                [(stale(.reserve), .reserve), (stale(.commit) + stale(.commit), nil), (stale(.release), .release)]
            case .refunded: [(stale(.reserve), .reserve), (stale(.commit), .commit), (stale(.release), .release)]
            case .cancelledDuringReserve: [(stale(.reserve) + stale(.reserve), nil), (stale(.release), .release)]
            }
        return Plan(
            orderId: "o-\(index)", lines: lines, ending: ending, phases: phases,
            recordedDeferred: Bool.random(using: &random))
    }

    /// Runs a schedule: each phase's superseded attempts start (and may land at any later time), then its recorded
    /// attempt runs to completion before the next phase, as the saga records an outcome before it moves on.
    /// Returns the units the order took for good.
    static func run(_ plan: Plan, inventory: Inventory, clock: TokenClock) async throws -> [String: Int64] {
        try await withThrowingTaskGroup(of: Void.self) { stragglers in
            for phase in plan.phases {
                for attempt in phase.stale {
                    let token = clock.next()
                    stragglers.addTask {
                        try await Task.sleep(for: attempt.delay)
                        let lines = attempt.cut ? [plan.lines[0]] : plan.lines
                        _ = try? await perform(
                            attempt.operation, plan.orderId, lines, token, inventory, deferred: attempt.deferred)
                    }
                }
                if let recorded = phase.recorded {
                    try await performRecorded(
                        recorded, plan.orderId, plan.lines, clock, inventory, deferred: plan.recordedDeferred)
                }
            }
            try await stragglers.waitForAll()
        }
        guard plan.ending == .completed else { return [:] }
        return Dictionary(uniqueKeysWithValues: plan.lines.map { ($0.sku, $0.quantity) })
    }

    /// Runs the attempt whose outcome the saga records, retried with a fresh token when a later one superseded it (as
    /// the engine retries a `Superseded` step: here only pruning's horizon can overtake it, when it runs that long).
    static func performRecorded(
        _ operation: Operation, _ orderId: String, _ lines: [Reservation.Line], _ clock: TokenClock,
        _ inventory: Inventory, deferred: Bool
    ) async throws {
        for attempt in 1...5 {
            do {
                return try await perform(operation, orderId, lines, clock.next(), inventory, deferred: deferred)
            } catch is StockMoveSuperseded where attempt < 5 {
                continue
            }
        }
    }

    /// Runs one attempt. `deferred`, a hold or commit first makes the writes its step defers to the outcome's
    /// append, in one ordered bulk write, and when one is refused runs again directly, as the engine runs the step
    /// again.
    static func perform(
        _ operation: Operation, _ orderId: String, _ lines: [Reservation.Line], _ token: FencingToken,
        _ inventory: Inventory, deferred: Bool
    ) async throws {
        if deferred, operation != .release {
            let writes =
                operation == .reserve
                ? try inventory.holdWrites(orderId: orderId, lines: lines, fence: token)
                : try inventory.commitWrites(orderId: orderId, lines: lines, fence: token)
            do {
                try await inventory.products.database.client.bulkWrite(writes, writeConcern: .majority)
                return
            } catch is BulkWriteFailure {}
        }
        switch operation {
        case .reserve: try await inventory.reserve(orderId: orderId, lines: lines, fence: token)
        case .commit: try await inventory.commit(orderId: orderId, lines: lines, fence: token)
        case .release: try await inventory.release(orderId: orderId, lines: lines, fence: token)
        }
    }
}

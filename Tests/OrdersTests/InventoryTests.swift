import Foundation
import Mongo
import MongoTesting
import Orders
import SagaKit
import Testing

/// Stock reservation against the live server: never oversold, and every operation safe to repeat.
@Suite("Inventory against the live server")
struct InventoryTests {
    /// A catalog and inventory on a database of their own.
    struct Shop {
        let catalog: Catalog
        let inventory: Inventory

        init(_ database: MongoDatabase) {
            catalog = Catalog(database: database)
            inventory = Inventory(database: database)
        }

        func stock(_ sku: String) async throws -> (stock: Int64, reserved: Int64) {
            let product = try #require(try await catalog.product(sku))
            return (product.stock, product.reserved)
        }
    }

    /// A fencing token issued `offset` milliseconds after a fixed moment: larger offsets are later attempts.
    static func token(_ offset: Int64) -> FencingToken {
        FencingToken(issuedAt: SagaTime.date(milliseconds: 1_800_000_000_000 + offset), seq: 1)
    }

    static let fence = token(0)

    @Test("20 concurrent single-unit reservations against a stock of 5: exactly 5 succeed, stock never negative")
    func neverOversells() async throws {
        try await TestDeployment.withDatabase { database in
            let shop = Shop(database)
            try await shop.catalog.put(
                sku: "SKU-1", name: "Widget", price: try Money(parsing: "1.00", currency: "USD"), stock: 5)
            let outcomes = await withTaskGroup(of: Bool.self) { group in
                for index in 0..<20 {
                    group.addTask {
                        do {
                            try await shop.inventory.reserve(
                                orderId: "o-\(index)", lines: [.init(sku: "SKU-1", quantity: 1)], fence: Self.fence)
                            return true
                        } catch {
                            #expect(error is InsufficientStock, "unexpected \(error)")
                            return false
                        }
                    }
                }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 5)
            let level = try await shop.stock("SKU-1")
            #expect(level.stock == 0)
            #expect(level.reserved == 5)
        }
    }

    @Test("a multi-line reservation takes every line or none")
    func allOrNothing() async throws {
        try await TestDeployment.withDatabase { database in
            let shop = Shop(database)
            let price = try Money(parsing: "2.00", currency: "USD")
            try await shop.catalog.put(sku: "A", name: "A", price: price, stock: 10)
            try await shop.catalog.put(sku: "B", name: "B", price: price, stock: 1)
            let error = await #expect(throws: InsufficientStock.self) {
                try await shop.inventory.reserve(
                    orderId: "o-1", lines: [.init(sku: "A", quantity: 3), .init(sku: "B", quantity: 2)],
                    fence: Self.fence)
            }
            #expect(error?.sku == "B")
            #expect(try await shop.stock("A") == (10, 0))
            #expect(try await shop.stock("B") == (1, 0))
            #expect(try await shop.inventory.move(orderId: "o-1", sku: "A")?.state == .released)
            #expect(
                try await shop.inventory.move(orderId: "o-1", sku: "B")?.state == .released,
                "the short SKU is refused too, so a late attempt cannot hold it once stock arrives")
        }
    }

    @Test("reserve, commit and release can each be repeated without changing stock again")
    func idempotent() async throws {
        try await TestDeployment.withDatabase { database in
            let shop = Shop(database)
            try await shop.catalog.put(
                sku: "A", name: "A", price: try Money(parsing: "2.00", currency: "USD"), stock: 10)
            let lines: [Reservation.Line] = [.init(sku: "A", quantity: 2), .init(sku: "A", quantity: 1)]
            try await shop.inventory.reserve(orderId: "o-1", lines: lines, fence: Self.fence)
            try await shop.inventory.reserve(orderId: "o-1", lines: lines, fence: Self.fence)
            #expect(try await shop.stock("A") == (7, 3))
            #expect(try await shop.inventory.move(orderId: "o-1", sku: "A")?.quantity == 3)

            try await shop.inventory.commit(orderId: "o-1", lines: lines, fence: Self.fence)
            try await shop.inventory.commit(orderId: "o-1", lines: lines, fence: Self.fence)
            #expect(try await shop.stock("A") == (7, 0), "shipped units leave reserved once")

            #expect(
                try await shop.inventory.release(orderId: "o-1", lines: lines, fence: Self.fence) == ["A": .committed])
            #expect(
                try await shop.inventory.release(orderId: "o-1", lines: lines, fence: Self.fence) == ["A": .released])
            #expect(try await shop.stock("A") == (10, 0), "returned goods come back to stock once")
        }
    }

    @Test("releasing held units gives them back; releasing an order that never reserved blocks a late reserve")
    func releaseHeldAndTombstone() async throws {
        try await TestDeployment.withDatabase { database in
            let shop = Shop(database)
            try await shop.catalog.put(
                sku: "A", name: "A", price: try Money(parsing: "2.00", currency: "USD"), stock: 4)
            try await shop.inventory.reserve(orderId: "o-1", lines: [.init(sku: "A", quantity: 4)], fence: Self.fence)
            #expect(
                try await shop.inventory.release(
                    orderId: "o-1", lines: [.init(sku: "A", quantity: 4)], fence: Self.fence)
                    == ["A": .held])
            #expect(try await shop.stock("A") == (4, 0))

            let neverHeld = try await shop.inventory.release(
                orderId: "o-2", lines: [.init(sku: "A", quantity: 1)], fence: Self.fence)
            #expect(neverHeld.keys.sorted() == ["A"] && neverHeld["A"]! == nil)
            await #expect(throws: ReservationReleased.self) {
                try await shop.inventory.reserve(
                    orderId: "o-2", lines: [.init(sku: "A", quantity: 1)], fence: Self.fence)
            }
            #expect(try await shop.stock("A") == (4, 0))
        }
    }

    @Test("putting a product again replaces its details and stock, keeping units reserved by orders in flight")
    func replaceKeepsReservations() async throws {
        try await TestDeployment.withDatabase { database in
            let shop = Shop(database)
            try await shop.catalog.put(
                sku: "A", name: "Old", price: try Money(parsing: "2.00", currency: "USD"), stock: 5)
            try await shop.inventory.reserve(orderId: "o-1", lines: [.init(sku: "A", quantity: 2)], fence: Self.fence)
            let replaced = try await shop.catalog.put(
                sku: "A", name: "New", price: try Money(parsing: "3.25", currency: "USD"), stock: 50)
            #expect(replaced.name == "New")
            #expect(replaced.price.amountText == "3.25")
            #expect(try await shop.stock("A") == (50, 2))
        }
    }

    @Test("reserving again after the stock ran out returns the order's reservation, not a shortage")
    func repeatAfterSellOut() async throws {
        try await TestDeployment.withDatabase { database in
            let shop = Shop(database)
            try await shop.catalog.put(
                sku: "A", name: "A", price: try Money(parsing: "2.00", currency: "USD"), stock: 2)
            try await shop.inventory.reserve(orderId: "o-1", lines: [.init(sku: "A", quantity: 2)], fence: Self.fence)
            try await shop.inventory.reserve(orderId: "o-1", lines: [.init(sku: "A", quantity: 2)], fence: Self.fence)
            #expect(try await shop.inventory.move(orderId: "o-1", sku: "A")?.state == .held)
            #expect(try await shop.stock("A") == (0, 2))
        }
    }

    @Test("a reservation cut short by a crash resumes; a return cut short by a crash adds the units once")
    func resumesAfterInterruption() async throws {
        try await TestDeployment.withDatabase { database in
            let shop = Shop(database)
            let price = try Money(parsing: "2.00", currency: "USD")
            try await shop.catalog.put(sku: "A", name: "A", price: price, stock: 5)
            try await shop.catalog.put(sku: "B", name: "B", price: price, stock: 5)
            let lines: [Reservation.Line] = [.init(sku: "A", quantity: 2), .init(sku: "B", quantity: 3)]
            // A crash after the first hold: A is held, B is not.
            try await shop.inventory.reserve(orderId: "o-1", lines: [lines[0]], fence: Self.token(1))
            try await shop.inventory.reserve(orderId: "o-1", lines: lines, fence: Self.token(2))
            #expect(try await shop.stock("A") == (3, 2), "A is not held twice")
            #expect(try await shop.stock("B") == (2, 3))

            try await shop.inventory.commit(orderId: "o-1", lines: lines, fence: Self.token(3))
            // A crash during the return: A's units are back, B's are not.
            try await shop.inventory.release(orderId: "o-1", lines: [lines[0]], fence: Self.token(4))
            #expect(
                try await shop.inventory.release(orderId: "o-1", lines: lines, fence: Self.token(5)) == [
                    "A": .released, "B": .committed,
                ])
            #expect(try await shop.stock("A") == (5, 0), "A's units come back once")
            #expect(try await shop.stock("B") == (5, 0))
        }
    }

    @Test("an attempt a later one overtook changes nothing: a late hold after the release, a late commit")
    func supersededAttempts() async throws {
        try await TestDeployment.withDatabase { database in
            let shop = Shop(database)
            try await shop.catalog.put(
                sku: "A", name: "A", price: try Money(parsing: "2.00", currency: "USD"), stock: 5)
            let lines: [Reservation.Line] = [.init(sku: "A", quantity: 2)]
            try await shop.inventory.reserve(orderId: "o-1", lines: lines, fence: Self.token(1))
            try await shop.inventory.release(orderId: "o-1", lines: lines, fence: Self.token(5))
            // The reserve attempt that timed out lands after the release (the "late hold").
            await #expect(throws: ReservationReleased.self) {
                try await shop.inventory.reserve(orderId: "o-1", lines: lines, fence: Self.token(2))
            }
            await #expect(throws: ReservationReleased.self) {
                try await shop.inventory.commit(orderId: "o-1", lines: lines, fence: Self.token(3))
            }
            #expect(try await shop.stock("A") == (5, 0))

            try await shop.inventory.reserve(orderId: "o-2", lines: lines, fence: Self.token(10))
            try await shop.inventory.commit(orderId: "o-2", lines: lines, fence: Self.token(12))
            // A release from an attempt older than the commit's is refused: the newer attempt owns the saga.
            await #expect(throws: StockMoveSuperseded.self) {
                try await shop.inventory.release(orderId: "o-2", lines: lines, fence: Self.token(11))
            }
            #expect(try await shop.stock("A") == (3, 0))
        }
    }

    @Test("pruning moves settled markers off the product; a refund after it restocks once, a stale attempt nothing")
    func pruning() async throws {
        try await TestDeployment.withDatabase { database in
            let shop = Shop(database)
            try await shop.catalog.put(
                sku: "A", name: "A", price: try Money(parsing: "2.00", currency: "USD"), stock: 10)
            let lines: [Reservation.Line] = [.init(sku: "A", quantity: 2)]
            try await shop.inventory.reserve(orderId: "done", lines: lines, fence: Self.token(1))
            try await shop.inventory.commit(orderId: "done", lines: lines, fence: Self.token(2))
            try await shop.inventory.reserve(orderId: "undone", lines: lines, fence: Self.token(3))
            try await shop.inventory.release(orderId: "undone", lines: lines, fence: Self.token(4))
            try await shop.inventory.reserve(orderId: "open", lines: lines, fence: Self.token(5))
            #expect(try await shop.stock("A") == (6, 2))

            let pruned = try await shop.inventory.prune(settledBefore: Self.token(100).issuedAt)
            #expect(pruned == 2, "the committed and the released marker leave; the held one stays")
            let markers = try #require(try await database.collection("products").findOne(["_id": "A"])?["moves"])
            #expect(markers.documentValue?.keys == ["open"])
            #expect(try await shop.inventory.move(orderId: "done", sku: "A")?.state == .committed)

            // Stale attempts issued before the horizon cannot create a marker again.
            await #expect(throws: StockMoveSuperseded.self) {
                try await shop.inventory.reserve(orderId: "undone", lines: lines, fence: Self.token(3))
            }
            await #expect(throws: StockMoveSuperseded.self) {
                try await shop.inventory.release(orderId: "done", lines: lines, fence: Self.token(2))
            }
            // A refund days later restocks the shipped units once, however many attempts overlap.
            try await shop.inventory.release(orderId: "done", lines: lines, fence: Self.token(200))
            try await shop.inventory.release(orderId: "done", lines: lines, fence: Self.token(201))
            #expect(try await shop.stock("A") == (8, 2))
            #expect(try await shop.inventory.prune(settledBefore: Self.token(300).issuedAt) == 1)
            try await shop.inventory.release(orderId: "done", lines: lines, fence: Self.token(400))
            #expect(try await shop.stock("A") == (8, 2), "the settled record now says released")
        }
    }
}

/// Business writes through a failover: a write-concern error is an error, and the repeat changes nothing more.
@Suite("Inventory through write-concern errors")
struct InventoryFailoverTests {
    @Test(
        "a hold answered with a write-concern error fails the attempt; the retry finds it held and takes nothing more")
    func holdWithWriteConcernError() async throws {
        try await FailCommand.withIsolatedClient { client, faults in
            let database = client.database(TestDeployment.uniqueName("inventory_failover"))
            let catalog = Catalog(database: database)
            let inventory = Inventory(database: database)
            try await catalog.put(sku: "A", name: "A", price: try Money(parsing: "1.00", currency: "USD"), stock: 5)
            let lines: [Reservation.Line] = [.init(sku: "A", quantity: 2)]
            try await faults.writeConcernError(on: ["update"], times: 1)
            await #expect(throws: MongoError.self) {
                try await inventory.reserve(orderId: "o-1", lines: lines, fence: InventoryTests.token(1))
            }
            try await inventory.reserve(orderId: "o-1", lines: lines, fence: InventoryTests.token(2))
            let product = try #require(try await catalog.product("A"))
            #expect((product.stock, product.reserved) == (3, 2))
            try await database.drop()
        }
    }
}

/// The business side's look-ups are served by indexes on the server the tests run against.
@Suite("Business access paths")
struct BusinessAccessPathTests {
    @Test("a repeated Idempotency-Key finds the first order through the idempotencyScope index")
    func idempotencyLookup() async throws {
        try await TestDeployment.withDatabase { database in
            let orders = try OrderSystem(
                database: database, history: InMemoryHistoryStore(),
                providers: ProviderEndpoints(all: "http://127.0.0.1:9"), http: .shared)
            try await orders.prepare()
            try await database.collection("orders").insertOne(["_id": "x", "idempotencyScope": "4:c-42/k-1"])
            let plan = try await QueryPlan.explain(
                ["find": "orders", "filter": ["idempotencyScope": "4:c-42/k-1"]], in: database)
            #expect(plan.isIndexed(by: "idempotencyScope"), "\(plan)")
        }
    }
}

import Foundation
import Mongo
import MongoTesting
import Orders
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
                                orderId: "o-\(index)", lines: [.init(sku: "SKU-1", quantity: 1)])
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
                    orderId: "o-1", lines: [.init(sku: "A", quantity: 3), .init(sku: "B", quantity: 2)])
            }
            #expect(error?.sku == "B")
            #expect(try await shop.stock("A") == (10, 0))
            #expect(try await shop.stock("B") == (1, 0))
            #expect(try await shop.inventory.reservation(orderId: "o-1")?.state == .released)
            let held = try await database.collection("products").countDocuments(["holds.o-1": ["$exists": true]])
            #expect(held == 0, "no product keeps a hold for the order")
        }
    }

    @Test("reserve, commit and release can each be repeated without changing stock again")
    func idempotent() async throws {
        try await TestDeployment.withDatabase { database in
            let shop = Shop(database)
            try await shop.catalog.put(
                sku: "A", name: "A", price: try Money(parsing: "2.00", currency: "USD"), stock: 10)
            let lines: [Reservation.Line] = [.init(sku: "A", quantity: 2), .init(sku: "A", quantity: 1)]
            let first = try await shop.inventory.reserve(orderId: "o-1", lines: lines)
            #expect(first.lines == [.init(sku: "A", quantity: 3)])
            try await shop.inventory.reserve(orderId: "o-1", lines: lines)
            #expect(try await shop.stock("A") == (7, 3))

            try await shop.inventory.commit(orderId: "o-1", lines: lines)
            try await shop.inventory.commit(orderId: "o-1", lines: lines)
            #expect(try await shop.stock("A") == (7, 0), "shipped units leave reserved once")

            #expect(try await shop.inventory.release(orderId: "o-1", lines: lines) == .committed)
            #expect(try await shop.inventory.release(orderId: "o-1", lines: lines) == .released)
            #expect(try await shop.stock("A") == (10, 0), "returned goods come back to stock once")
        }
    }

    @Test("releasing held units gives them back; releasing an order that never reserved blocks a late reserve")
    func releaseHeldAndTombstone() async throws {
        try await TestDeployment.withDatabase { database in
            let shop = Shop(database)
            try await shop.catalog.put(
                sku: "A", name: "A", price: try Money(parsing: "2.00", currency: "USD"), stock: 4)
            try await shop.inventory.reserve(orderId: "o-1", lines: [.init(sku: "A", quantity: 4)])
            #expect(try await shop.inventory.release(orderId: "o-1", lines: [.init(sku: "A", quantity: 4)]) == .held)
            #expect(try await shop.stock("A") == (4, 0))

            #expect(try await shop.inventory.release(orderId: "o-2", lines: [.init(sku: "A", quantity: 1)]) == nil)
            await #expect(throws: ReservationReleased.self) {
                try await shop.inventory.reserve(orderId: "o-2", lines: [.init(sku: "A", quantity: 1)])
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
            try await shop.inventory.reserve(orderId: "o-1", lines: [.init(sku: "A", quantity: 2)])
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
            let first = try await shop.inventory.reserve(orderId: "o-1", lines: [.init(sku: "A", quantity: 2)])
            let again = try await shop.inventory.reserve(orderId: "o-1", lines: [.init(sku: "A", quantity: 2)])
            #expect(again.lines == first.lines)
            #expect(again.state == .held)
            #expect(try await shop.stock("A") == (0, 2))
        }
    }

    @Test("a reservation cut short by a crash resumes; the return of shipped units after a crash adds them once")
    func resumesAfterInterruption() async throws {
        try await TestDeployment.withDatabase { database in
            let shop = Shop(database)
            let price = try Money(parsing: "2.00", currency: "USD")
            try await shop.catalog.put(sku: "A", name: "A", price: price, stock: 5)
            try await shop.catalog.put(sku: "B", name: "B", price: price, stock: 5)
            let lines: [Reservation.Line] = [.init(sku: "A", quantity: 2), .init(sku: "B", quantity: 3)]
            // A crash after the reservation record and the first hold: A is held, B is not.
            try await database.collection("reservations").insertOne(
                [
                    "_id": "o-1", "lines": [["sku": "A", "quantity": 2], ["sku": "B", "quantity": 3]], "state": "held",
                    "updatedAt": .datetime(Date()),
                ])
            try await database.collection("products").updateOne(
                filter: ["_id": "A"], update: ["$inc": ["stock": -2, "reserved": 2], "$set": ["holds.o-1": 2]])
            try await shop.inventory.reserve(orderId: "o-1", lines: lines)
            #expect(try await shop.stock("A") == (3, 2), "A is not held twice")
            #expect(try await shop.stock("B") == (2, 3))

            try await shop.inventory.commit(orderId: "o-1", lines: lines)
            // A crash during the return: A's units are back (with their marker), B's are not, the record says committed.
            try await database.collection("products").updateOne(
                filter: ["_id": "A"], update: ["$inc": ["stock": 2], "$set": ["returns.o-1": 2]])
            #expect(try await shop.inventory.release(orderId: "o-1", lines: lines) == .committed)
            #expect(try await shop.stock("A") == (5, 0), "A's units come back once")
            #expect(try await shop.stock("B") == (5, 0))
            let markers = try await database.collection("products").countDocuments(
                ["$or": [["holds.o-1": ["$exists": true]], ["returns.o-1": ["$exists": true]]]])
            #expect(markers == 0, "no marker is left behind")
        }
    }
}

import Foundation
import Mongo
import MongoTesting
import SagaKit
import Testing

@testable import Orders

/// The stock moves a step defers to its outcome's append (``Inventory/holdWrites(orderId:lines:fence:now:)``,
/// ``Inventory/commitWrites(orderId:lines:fence:now:)``): they apply as the moves themselves do, and are refused,
/// never applied or inserting, wherever the moves would have to find out more. The refusal comes from the upsert's
/// insert, which cannot set a field on a string `_id`; nothing depends on its code.
@Suite("Deferred stock moves against the live server")
struct DeferredStockMoveTests {
    static let fence = InventoryTests.token(0)

    /// Makes `writes` in one ordered bulk write; the index and kind of the refused one, if any.
    static func make(_ writes: [NamespacedWrite], on database: MongoDatabase) async throws -> BulkWriteError? {
        do {
            try await database.client.bulkWrite(writes, writeConcern: .majority)
            return nil
        } catch let failure as BulkWriteFailure {
            return failure.writeErrors.first
        }
    }

    @Test("deferred holds leave each product as reserve(orderId:lines:fence:) does")
    func holdsAsReserve() async throws {
        try await TestDeployment.withDatabase { database in
            let shop = InventoryTests.Shop(database)
            let price = try Money(parsing: "1.00", currency: "USD")
            for sku in ["A", "B"] { try await shop.catalog.put(sku: sku, name: sku, price: price, stock: 5) }
            let now = Date(timeIntervalSince1970: 1_800_000_000)
            let lines: [Reservation.Line] = [.init(sku: "A", quantity: 2), .init(sku: "B", quantity: 1)]

            let refused = try await Self.make(
                try shop.inventory.holdWrites(orderId: "o-deferred", lines: lines, fence: Self.fence, now: now),
                on: database)
            #expect(refused == nil)
            try await shop.inventory.reserve(orderId: "o-direct", lines: lines, fence: Self.fence, now: now)

            for sku in ["A", "B"] {
                let deferred = try await shop.inventory.move(orderId: "o-deferred", sku: sku)
                let direct = try await shop.inventory.move(orderId: "o-direct", sku: sku)
                #expect(deferred != nil && deferred == direct)
            }
            #expect(try await shop.stock("A") == (1, 4))
            #expect(try await shop.stock("B") == (3, 2))
        }
    }

    @Test(
        "a deferred hold is refused when the stock is short, when the order holds the SKU already, or when the SKU is gone"
    )
    func holdRefusals() async throws {
        try await TestDeployment.withDatabase { database in
            let shop = InventoryTests.Shop(database)
            let price = try Money(parsing: "1.00", currency: "USD")
            try await shop.catalog.put(sku: "A", name: "A", price: price, stock: 2)
            try await shop.catalog.put(sku: "B", name: "B", price: price, stock: 1)

            let short = try await Self.make(
                try shop.inventory.holdWrites(
                    orderId: "o-1", lines: [.init(sku: "A", quantity: 1), .init(sku: "B", quantity: 2)],
                    fence: Self.fence),
                on: database)
            #expect(short?.index == 1)
            // The rerun finds the shortage, and leaves nothing held: the deferred hold of A is released.
            await #expect(throws: InsufficientStock.self) {
                try await shop.inventory.reserve(
                    orderId: "o-1", lines: [.init(sku: "A", quantity: 1), .init(sku: "B", quantity: 2)],
                    fence: Self.fence)
            }
            #expect(try await shop.stock("A") == (2, 0))
            #expect(try await shop.stock("B") == (1, 0))

            try await shop.inventory.reserve(orderId: "o-2", lines: [.init(sku: "A", quantity: 1)], fence: Self.fence)
            let again = try await Self.make(
                try shop.inventory.holdWrites(orderId: "o-2", lines: [.init(sku: "A", quantity: 1)], fence: Self.fence),
                on: database)
            #expect(again != nil, "a hold never moves stock twice")
            #expect(try await shop.stock("A") == (1, 1))

            let gone = try await Self.make(
                try shop.inventory.holdWrites(
                    orderId: "o-3", lines: [.init(sku: "GONE", quantity: 1)], fence: Self.fence),
                on: database)
            #expect(gone?.index == 0)
            #expect(try await shop.catalog.product("GONE") == nil, "no product was made up")
            #expect(try await database.collection("products").countDocuments(["_id": "GONE"]) == 0)
        }
    }

    @Test("a deferred commit applies to a held marker and is refused on a released one")
    func commits() async throws {
        try await TestDeployment.withDatabase { database in
            let shop = InventoryTests.Shop(database)
            try await shop.catalog.put(
                sku: "A", name: "A", price: try Money(parsing: "1.00", currency: "USD"), stock: 5)
            let line = Reservation.Line(sku: "A", quantity: 2)
            try await shop.inventory.reserve(orderId: "o-held", lines: [line], fence: Self.fence)
            try await shop.inventory.reserve(orderId: "o-released", lines: [line], fence: Self.fence)
            try await shop.inventory.release(orderId: "o-released", lines: [line], fence: Self.fence)

            let later = InventoryTests.token(5)
            #expect(
                try await Self.make(
                    try shop.inventory.commitWrites(orderId: "o-held", lines: [line], fence: later), on: database)
                    == nil)
            #expect(try await shop.inventory.move(orderId: "o-held", sku: "A")?.state == .committed)
            let refused = try await Self.make(
                try shop.inventory.commitWrites(orderId: "o-released", lines: [line], fence: later), on: database)
            #expect(refused?.index == 0)
            #expect(try await shop.stock("A") == (3, 0))
        }
    }
}

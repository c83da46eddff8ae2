import Foundation
import Testing

/// `order-saga` run as a subprocess against a live service: products, placing, watching, showing, listing.
@Suite("Command line: products and orders", .timeLimit(.minutes(3)))
struct CommandLineOrderTests {
    static let address = ["--name", "Ada", "--line1", "1 Main St", "--city", "Springfield", "--postal-code", "12345"]

    @Test("products put prints a table; products get -o json gives the API's item back, the price an exact string")
    func productsPutAndGet() async throws {
        try await LiveService.run { service in
            let put = try await service.cli(
                "products", "put", "--sku", "SKU-1", "--name", "Widget", "--price", "12.50", "--currency", "USD",
                "--stock", "10")
            #expect(put.status == 0, "\(put)")
            #expect(put.lines.first?.hasPrefix("SKU    NAME    PRICE      STOCK  RESERVED  UPDATED") == true, "\(put)")
            #expect(put.lines.last?.hasPrefix("SKU-1  Widget  12.50 USD  10     0         ") == true, "\(put)")

            let get = try await service.cli("products", "get", "SKU-1", "--output", "json")
            #expect(get.status == 0, "\(get)")
            let product = try get.json
            #expect(product["sku"] as? String == "SKU-1")
            #expect((product["price"] as? [String: Any])?["amount"] as? String == "12.50")
            #expect(product["stock"] as? Int == 10)
            #expect(product["reserved"] as? Int == 0)

            let line = try await service.cli("products", "get", "SKU-1", "--output", "jsonl")
            #expect(line.lines.count == 1)
            #expect(try line.jsonLines.first?["name"] as? String == "Widget")

            _ = try await service.cli(
                "products", "put", "--sku", "SKU-2", "--name", "Gadget", "--price", "0.10", "--stock", "3")
            let list = try await service.cli("products", "list", "--output", "jsonl")
            #expect(list.status == 0, "\(list)")
            #expect(try list.jsonLines.map { $0["sku"] as? String } == ["SKU-1", "SKU-2"])
            let firstPage = try await service.cli("products", "list", "--limit", "1", "--output", "json")
            let cursor = try #require(try firstPage.json["nextCursor"] as? String, "\(firstPage)")
            let secondPage = try await service.cli("products", "list", "--limit", "1", "--cursor", cursor)
            #expect(secondPage.status == 0, "\(secondPage)")
            #expect(secondPage.lines.count == 2, "\(secondPage)")
            #expect(
                secondPage.lines.last?.hasPrefix("SKU-2  Gadget  0.10 USD  3      0         ") == true, "\(secondPage)")
        }
    }

    @Test(
        "an order placed from a file, from stdin and from flags; watch follows it to its end; show and list parse back")
    func placeWatchShowList() async throws {
        try await LiveService.run { service in
            _ = try await service.cli(
                "products", "put", "--sku", "SKU-1", "--name", "Widget", "--price", "12.50", "--stock", "100")

            let body = #"""
                {"customerId":"c-7","items":[{"sku":"SKU-1","quantity":3}],"paymentToken":"tok_visa",
                 "shippingAddress":{"name":"Ada","line1":"1 Main St","city":"Springfield","postalCode":"12345","country":"US"}}
                """#
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("order-\(UUID().uuidString).json")
            try Data(body.utf8).write(to: file)
            defer { try? FileManager.default.removeItem(at: file) }
            let fromFile = try await service.cli(
                "orders", "place", "--file", file.path, "--idempotency-key", "cli-first", "--output", "json")
            #expect(fromFile.status == 0, "\(fromFile)")
            let fileOrder = try #require(try fromFile.json["orderId"] as? String)
            #expect(try fromFile.json["status"] as? String == "RUNNING")

            let replay = try await service.cli(
                "orders", "place", "--file", "-", "--idempotency-key", "cli-first", "--output", "json", stdin: body)
            #expect(replay.status == 0, "\(replay)")
            #expect(try replay.json["orderId"] as? String == fileOrder)

            let fromFlags = try await service.cli(
                [
                    "orders", "place", "--customer", "c-8", "--item", "SKU-1:2", "--item", "SKU-1:1", "--token",
                    "tok_visa",
                ]
                    + Self.address + ["--country", "US"])
            #expect(fromFlags.status == 0, "\(fromFlags)")
            let flagsOrder = try #require(
                fromFlags.lines.first { $0.hasPrefix("order ") }?.split(separator: " ").last.map(String.init))
            #expect(fromFlags.lines.contains { $0.hasPrefix("status") && $0.hasSuffix("RUNNING") }, "\(fromFlags)")

            let watch = try await service.cli("sagas", "watch", flagsOrder, timeout: .seconds(60))
            #expect(watch.status == 0, "\(watch)")
            #expect(watch.lines.first?.hasPrefix("#1  ") == true, "\(watch)")
            #expect(watch.lines.first?.contains("SagaStarted") == true, "\(watch)")
            #expect(watch.lines.last?.contains("SagaCompleted") == true, "\(watch)")
            #expect(watch.lines.contains { $0.contains("StepCompleted  ChargePayment  attempt 1") }, "\(watch)")

            let watchLines = try await service.cli("sagas", "watch", fileOrder, "--output", "jsonl")
            #expect(watchLines.status == 0, "\(watchLines)")
            let events = try watchLines.jsonLines
            #expect(events.map { $0["seq"] as? Int } == Array(1...events.count).map { $0 })
            #expect(events.last?["type"] as? String == "SagaCompleted")

            let resumed = try await service.cli("sagas", "watch", fileOrder, "--after", "3", "--output", "jsonl")
            #expect(try resumed.jsonLines.first?["seq"] as? Int == 4, "\(resumed)")
            #expect(try resumed.jsonLines.count == events.count - 3)

            let pastTheEnd = try await service.cli("sagas", "watch", fileOrder, "--after", "\(events.count)")
            #expect(pastTheEnd.status == 0, "\(pastTheEnd)")
            #expect(pastTheEnd.stdout.isEmpty, "\(pastTheEnd)")

            let show = try await service.cli("sagas", "show", fileOrder, "--output", "json")
            #expect(show.status == 0, "\(show)")
            let order = try #require(try show.json["order"] as? [String: Any])
            let saga = try #require(try show.json["saga"] as? [String: Any])
            #expect(order["orderId"] as? String == fileOrder)
            #expect((order["total"] as? [String: Any])?["amount"] as? String == "37.50")
            #expect(saga["status"] as? String == "COMPLETED")
            #expect((saga["history"] as? [[String: Any]])?.last?["type"] as? String == "SagaCompleted")

            let table = try await service.cli("sagas", "show", fileOrder)
            #expect(table.status == 0, "\(table)")
            #expect(table.lines.contains { $0.hasPrefix("status") && $0.hasSuffix("COMPLETED") }, "\(table)")
            #expect(table.lines.contains { $0.hasPrefix("total") && $0.hasSuffix("37.50 USD") }, "\(table)")
            #expect(table.lines.contains { $0.hasPrefix("STEP") && $0.contains("ATTEMPTS  LAST ERROR  NEXT RETRY") })
            #expect(table.lines.contains { $0.hasPrefix("ChargePayment") && $0.contains("COMPLETED") })
            #expect(table.lines.contains { $0.hasPrefix("SEQ  AT") })
            #expect(
                table.lines.contains { $0.hasPrefix("payment") && $0.contains("37.50 USD  charge ch_") }, "\(table)")
            #expect(table.lines.contains { $0.hasPrefix("shipment") && $0.contains("created  sh_") }, "\(table)")

            let list = try await service.cli("sagas", "list", "--output", "json")
            #expect(list.status == 0, "\(list)")
            let items = try #require(try list.json["items"] as? [[String: Any]])
            #expect(Set(items.compactMap { $0["orderId"] as? String }) == [fileOrder, flagsOrder])
            #expect(try list.json.keys.contains("nextCursor"))

            let page = try await service.cli(
                "sagas", "list", "--status", "COMPLETED", "--limit", "1", "--output", "jsonl")
            #expect(page.status == 0, "\(page)")
            #expect(try page.jsonLines.count == 1)
            #expect(try page.jsonLines.first?["status"] as? String == "COMPLETED")

            let listTable = try await service.cli("sagas", "list", "--limit", "1")
            #expect(listTable.lines.first?.hasPrefix("ORDER") == true, "\(listTable)")
            #expect(listTable.lines[1].contains("  COMPLETED  -     -        c-8       37.50 USD  "), "\(listTable)")

            let byCustomer = try await service.cli("sagas", "list", "--customer", "c-7", "--output", "jsonl")
            #expect(try byCustomer.jsonLines.map { $0["orderId"] as? String } == [fileOrder], "\(byCustomer)")
            #expect(listTable.lines.last?.hasPrefix("next page: --cursor ") == true, "\(listTable)")

            let stats = try await service.cli("sagas", "stats", "--output", "json")
            #expect(stats.status == 0, "\(stats)")
            #expect(try stats.json["total"] as? Int == 2)
            #expect((try stats.json["counts"] as? [String: Any])?["COMPLETED"] as? Int == 2)
        }
    }
}

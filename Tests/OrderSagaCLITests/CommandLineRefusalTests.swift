import Foundation
import MongoTesting
import Testing

/// Exit statuses scripts rely on: 1 refused by the API (its problem on standard error), 2 usage, 3 unreachable.
@Suite("Command line: refusals, usage and unreachable services", .timeLimit(.minutes(3)))
struct CommandLineRefusalTests {
    @Test("the API's refusals exit 1 and print the problem's title, detail and each field error")
    func refusedByTheAPI() async throws {
        try await LiveService.run { service in
            _ = try await service.cli(
                "products", "put", "--sku", "SKU-1", "--name", "Widget", "--price", "12.50", "--stock", "5")

            let invalid = try await service.cli(
                "orders", "place", "--customer", "c-1", "--item", "SKU-1:0", "--item", "NOPE:1", "--token", "tok_visa",
                "--name", "Ada", "--line1", "1 Main St", "--city", "Springfield", "--postal-code", "12345",
                "--country", "US")
            #expect(invalid.status == 1, "\(invalid)")
            #expect(invalid.stderr.contains("(422)"), "\(invalid)")
            #expect(invalid.stderr.contains("  items[0].quantity: "), "\(invalid)")
            #expect(invalid.stdout.isEmpty)

            let missing = try await service.cli("products", "get", "NOPE")
            #expect(missing.status == 1, "\(missing)")
            #expect(missing.stderr.contains("Not found (404): product NOPE does not exist"), "\(missing)")

            let unknownOrder = try await service.cli("sagas", "watch", "ord_01jd3k2x4q8m9v7t6r5p4n3b2a")
            #expect(unknownOrder.status == 1, "\(unknownOrder)")
            #expect(unknownOrder.stderr.contains("(404)"), "\(unknownOrder)")

            let badKey = try await service.cli("sagas", "stats", key: "not-a-known-key")
            #expect(badKey.status == 1, "\(badKey)")
            #expect(badKey.stderr.contains("(401)"), "\(badKey)")
            #expect(badKey.stderr.contains("ORDER_SAGA_KEY or --key"), "\(badKey)")

            let customer = try await service.cli(
                "products", "put", "--sku", "SKU-2", "--name", "X", "--price", "1.00", "--stock", "1",
                key: LiveService.customerKey)
            #expect(customer.status == 1, "\(customer)")
            #expect(customer.stderr.contains("(403)"), "\(customer)")

            let flagKey = try await service.cli(
                "sagas", "stats", "--key", LiveService.operatorKey, "--output", "json", key: nil)
            #expect(flagKey.status == 0, "\(flagKey)")
        }
    }

    @Test("usage errors exit 2 with the usage on standard error; --help exits 0")
    func usage() async throws {
        let cases: [[String]] = [
            ["sagas", "list", "--bogus"],
            ["sagas", "show"],
            ["sagas", "list", "--limit", "0"],
            ["sagas", "list", "--output", "yaml"],
            ["orders", "place", "--customer", "c-1"],
            ["orders", "place", "--file", "order.json", "--customer", "c-1"],
            ["orders", "place", "--file", "/nonexistent/order.json"],
            [
                "orders", "place", "--customer", "c-1", "--item", "SKU-1", "--token", "t", "--name", "n", "--line1",
                "l",
                "--city", "c", "--postal-code", "p", "--country", "US",
            ],
            ["products", "put", "--sku", "S", "--name", "N", "--price", "12,50", "--stock", "1"],
            ["products", "put", "--sku", "S", "--name", "N", "--price", "1e3", "--stock", "1"],
            ["approve"],
            ["sagas", "stats", "--url", "ftp://example.com"],
            ["serve", "--port", "not-a-port"],
        ]
        for arguments in cases {
            let result = try await CLIResult.run(arguments, environment: ["ORDER_SAGA_URL": "http://127.0.0.1:9"])
            #expect(result.status == 2, "order-saga \(arguments.joined(separator: " ")): \(result)")
            #expect(result.stderr.hasPrefix("Error: "), "order-saga \(arguments.joined(separator: " ")): \(result)")
        }
        let help = try await CLIResult.run(["sagas", "--help"])
        #expect(help.status == 0, "\(help)")
        #expect(help.stdout.contains("watch"), "\(help)")
    }

    @Test("an unreachable service exits 3 and names the URL it could not reach")
    func unreachable() async throws {
        let closed = try ClosedPort()
        let url = "http://127.0.0.1:\(closed.port)"
        for arguments in [
            ["sagas", "list"], ["sagas", "watch", "ord_01jd3k2x4q8m9v7t6r5p4n3b2a"], ["approve", "ord_x"],
        ] {
            let result = try await CLIResult.run(
                arguments, environment: ["ORDER_SAGA_URL": url, "ORDER_SAGA_KEY": "some-key-1234"])
            #expect(result.status == 3, "\(arguments): \(result)")
            #expect(
                result.stderr == "Error: cannot reach the service at \(url): Connection refused\n",
                "\(arguments): \(result)")
        }
        let unresolvable = try await CLIResult.run([
            "products", "get", "SKU-1", "--url", "http://no-such-host.invalid:8080",
        ])
        #expect(unresolvable.status == 3, "\(unresolvable)")
        #expect(unresolvable.stderr.contains("http://no-such-host.invalid:8080"), "\(unresolvable)")
        withExtendedLifetime(closed) {}
    }
}

import ArgumentParser
import OrderSagaClient

extension ProductsCommand {
    /// `products put`: creates or replaces a catalog item (`POST /v1/products`).
    struct Put: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create or replace a catalog item.")

        @Option(help: "The SKU.") var sku: String
        @Option(help: "The name.") var name: String
        @Option(help: "The unit price, an exact decimal such as 12.50.") var price: String
        @Option(help: "The price's currency (ISO 4217).") var currency: String = "USD"
        @Option(help: "Units available.") var stock: Int64
        @OptionGroup var options: ClientOptions

        func validate() throws {
            guard Self.isDecimal(price) else {
                throw ValidationError("--price must be a decimal amount such as 12.50 (got '\(price)')")
            }
            guard stock >= 0 else { throw ValidationError("--stock must be 0 or more") }
        }

        /// Digits with an optional fraction (`12`, `12.5`, `12.50`): the amount is sent as this exact text.
        static func isDecimal(_ text: String) -> Bool {
            let parts = text.split(separator: ".", omittingEmptySubsequences: false)
            return (1...2).contains(parts.count)
                && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy { ("0"..."9").contains($0) } }
        }

        func run() async throws {
            let input = ProductInput(
                sku: sku, name: name, price: Money(amount: price, currency: currency), stock: stock)
            let answer = try await options.connection.withClient { try await $0.putProduct(input) }
            try Printer(format: options.format).print(answer) { ProductsCommand.table([$0]) }
        }
    }

    /// `products get SKU` (`GET /v1/products/{sku}`).
    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a catalog item with its stock.")

        @Argument(help: "The SKU.") var sku: String
        @OptionGroup var options: ClientOptions

        func run() async throws {
            let answer = try await options.connection.withClient { try await $0.product(sku: sku) }
            try Printer(format: options.format).print(answer) { ProductsCommand.table([$0]) }
        }
    }

    /// `products list` (`GET /v1/products`).
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the catalog, a page at a time.")

        @Option(help: "At most this many.") var limit: Int?
        @Option(help: "The page after the one that printed this cursor.") var cursor: String?
        @OptionGroup var options: ClientOptions

        func validate() throws {
            if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
        }

        func run() async throws {
            let answer = try await options.connection.withClient { try await $0.products(limit: limit, cursor: cursor) }
            try Printer(format: options.format).print(answer, listKey: "items") { page in
                ProductsCommand.table(page.items) + (page.nextCursor.map { "\nnext page: --cursor \($0)" } ?? "")
            }
        }
    }
}

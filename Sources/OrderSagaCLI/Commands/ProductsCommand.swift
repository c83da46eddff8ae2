import ArgumentParser
import OrderSagaClient

/// `order-saga products …`: the catalog.
struct ProductsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "products", abstract: "Put, get and list catalog items.",
        subcommands: [Put.self, Get.self, List.self])

    /// A table of products.
    static func table(_ products: [Product]) -> String {
        var table = TextTable(["SKU", "NAME", "PRICE", "STOCK", "RESERVED", "UPDATED"])
        for product in products {
            table.add([
                product.sku, product.name, product.price.text, "\(product.stock)", "\(product.reserved)",
                Display.time(product.updatedAt),
            ])
        }
        return table.rendered
    }
}

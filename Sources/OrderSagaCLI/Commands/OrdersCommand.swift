import ArgumentParser

/// `order-saga orders …`: place orders.
struct OrdersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "orders", abstract: "Place orders.", subcommands: [Place.self])
}

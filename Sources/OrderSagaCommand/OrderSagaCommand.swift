import ArgumentParser
import Foundation
import OrderSagaCLI

/// `order-saga`: serves by default; its other subcommands act on a running service.
@main
struct OrderSagaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "order-saga",
        abstract: "The order saga service, and a command-line client of it.",
        discussion: """
            With no subcommand, or with `serve`, it runs the service. The other subcommands act on a running service \
            at ORDER_SAGA_URL (default http://127.0.0.1:8080) with the key ORDER_SAGA_KEY (or --url, --key). \
            Exit status: 0 done, 1 refused by the API, 2 usage, 3 unreachable.
            """,
        subcommands: [ServeCommand.self] + OrderSagaCLI.commands,
        defaultSubcommand: ServeCommand.self)

    static func main() async {
        Foundation.exit(await CommandLineRunner.run(Self.self))
    }
}

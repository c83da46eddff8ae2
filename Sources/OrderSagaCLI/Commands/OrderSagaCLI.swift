import ArgumentParser

/// The `order-saga` subcommands that act on a running service, for the executable to mount beside `serve`.
///
/// ```swift
/// static let configuration = CommandConfiguration(
///     subcommands: [Serve.self] + OrderSagaCLI.commands, defaultSubcommand: Serve.self)
/// ```
public enum OrderSagaCLI {
    /// `sagas`, `orders`, `approve`, `reject`, `cancel`, `refund`, `retry`, `products`.
    public static let commands: [any ParsableCommand.Type] = [
        SagasCommand.self, OrdersCommand.self, ApproveCommand.self, RejectCommand.self, CancelCommand.self,
        RefundCommand.self, RetryCommand.self, ProductsCommand.self,
    ]
}

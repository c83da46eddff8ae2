import ArgumentParser
import OrderSagaClient

/// The argument and options of `approve`, `reject`, `cancel`, `refund` and `retry`.
struct OrderActionOptions: ParsableArguments {
    @Argument(help: "The order id (ord_…).") var order: String
    @Option(help: "Why; recorded in the saga's history (at most 256 characters).") var reason: String?
    @OptionGroup var options: ClientOptions

    func validate() throws {
        if let reason, reason.count > 256 { throw ValidationError("--reason is at most 256 characters") }
    }

    /// Sends `action` and prints the answer.
    func run(_ action: OrderAction) async throws {
        let answer = try await options.connection.withClient { client in
            try await client.command(action, orderId: order, reason: reason)
        }
        try Printer(format: options.format).print(answer) { accepted in
            var fields = FieldList()
            fields.add("order", accepted.orderId)
            fields.add("action", accepted.action)
            fields.add("status", accepted.status)
            fields.add("detail", accepted.detail)
            return fields.rendered
        }
    }
}

/// `order-saga approve ORDER`: lets an order waiting for approval go on.
struct ApproveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approve", abstract: "Approve an order waiting for approval.")
    @OptionGroup var action: OrderActionOptions
    func run() async throws { try await action.run(.approve) }
}

/// `order-saga reject ORDER`: refuses an order waiting for approval; it is compensated.
struct RejectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reject", abstract: "Reject an order waiting for approval (it is compensated).")
    @OptionGroup var action: OrderActionOptions
    func run() async throws { try await action.run(.reject) }
}

/// `order-saga cancel ORDER`: stops a running saga and undoes what it did.
struct CancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel", abstract: "Cancel a running order (what was done is undone).")
    @OptionGroup var action: OrderActionOptions
    func run() async throws { try await action.run(.cancel) }
}

/// `order-saga refund ORDER`: refunds a completed order, or retries a stuck compensation.
struct RefundCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "refund", abstract: "Refund a completed order, or retry the compensation of a stuck one.")
    @OptionGroup var action: OrderActionOptions
    func run() async throws { try await action.run(.refund) }
}

/// `order-saga retry ORDER`: retries a stuck saga.
struct RetryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "retry", abstract: "Retry a STUCK saga.")
    @OptionGroup var action: OrderActionOptions
    func run() async throws { try await action.run(.retry) }
}

import ArgumentParser
import Foundation
import OrderSagaClient

extension SagasCommand {
    /// `sagas show ORDER`: the order, its saga's steps and the whole history.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show an order's saga: header, steps (status, attempts, last error, next retry) and history.",
            discussion: "json and jsonl print {\"order\": GET /v1/orders/{id}, \"saga\": GET /v1/orders/{id}/saga}.")

        @Argument(help: "The order id (ord_…).") var order: String
        @OptionGroup var options: ClientOptions

        func run() async throws {
            let (document, saga) = try await options.connection.withClient { client in
                (try await client.order(order), try await client.saga(orderId: order))
            }
            switch options.format {
            case .table:
                Console.write(Self.table(document.value, saga.value))
            case .json, .jsonl:
                let combined = JSONValue.object([
                    "order": try Printer.parse(document.body), "saga": try Printer.parse(saga.body),
                ])
                Console.write(options.format == .json ? Printer.pretty(combined) : combined.jsonText())
            }
        }

        /// The header, the steps and the history as text.
        static func table(_ order: OrderDocument, _ saga: SagaDetail) -> String {
            var header = FieldList()
            header.add("order", order.orderId)
            header.add("saga", saga.sagaId)
            header.add("status", saga.status)
            header.add("step", saga.step)
            header.add("customer", order.customerId)
            header.add("total", order.total.text)
            header.add("items", order.items.map { "\($0.sku) × \($0.quantity)" }.joined(separator: ", "))
            header.add("placed", Display.time(order.placedAt))
            header.add("updated", Display.time(saga.updatedAt))
            header.add(
                "payment",
                order.payment.map { payment in
                    [
                        payment.status, Display.money(payment.amount), payment.chargeId.map { "charge \($0)" },
                        payment.refundId.map { "refund \($0)" },
                    ].compactMap { $0 }.joined(separator: "  ")
                })
            header.add(
                "shipment",
                order.shipment.map { shipment in
                    [shipment.status, shipment.shipmentId].compactMap { $0 }.joined(separator: "  ")
                })

            var steps = TextTable(["STEP", "KIND", "STATUS", "ATTEMPTS", "LAST ERROR", "NEXT RETRY"])
            for step in saga.steps {
                steps.add([
                    step.name, step.kind, step.status, "\(step.attempts)",
                    step.lastError.map { "\($0.kind): \($0.message)" }, Display.time(step.nextAttemptAt),
                ])
            }
            var history = TextTable(["SEQ", "AT", "TYPE", "STEP", "ATTEMPT", "DATA"])
            for event in saga.history { history.add(WatchLine.cells(event)) }
            return [header.rendered, "", steps.rendered, "", history.rendered].joined(separator: "\n")
        }
    }
}

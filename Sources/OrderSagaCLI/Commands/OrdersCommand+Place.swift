import ArgumentParser
import Foundation
import OrderSagaClient

extension OrdersCommand {
    /// `orders place`: places an order from a JSON file (or standard input) or from flags (`POST /v1/orders`).
    struct Place: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Place an order from a JSON file (--file, '-' for standard input) or from flags.",
            discussion: """
                order-saga orders place --file order.json
                order-saga orders place --customer c-42 --item SKU-1:2 --token tok_visa \\
                  --name Ada --line1 "1 Main St" --city Springfield --postal-code 12345 --country US
                """)

        @Option(help: "The place-order body as JSON; '-' reads standard input.") var file: String?
        @Option(help: "The customer id.") var customer: String?
        @Option(help: ArgumentHelp("A line, SKU:QUANTITY; repeat for more lines.", valueName: "sku:qty"))
        var item: [String] = []
        @Option(help: "The payment token (tok_visa, tok_chargeDeclined, …).") var token: String?
        @Option(help: "Recipient's name.") var name: String?
        @Option(help: "Street and number.") var line1: String?
        @Option(help: "City.") var city: String?
        @Option(help: "Postal code.") var postalCode: String?
        @Option(help: "Country (ISO 3166 code).") var country: String?
        @Option(help: "Idempotency-Key: a repeated key with the same body answers the first answer.")
        var idempotencyKey: String?
        @OptionGroup var options: ClientOptions

        /// The flags that describe an order.
        private var orderFlags: [(String, String?)] {
            [
                ("--customer", customer), ("--token", token), ("--name", name), ("--line1", line1),
                ("--city", city), ("--postal-code", postalCode), ("--country", country),
            ]
        }

        func validate() throws {
            if file != nil {
                let given = orderFlags.filter { $0.1 != nil }.map(\.0) + (item.isEmpty ? [] : ["--item"])
                guard given.isEmpty else {
                    throw ValidationError("--file takes the whole order; drop \(given.joined(separator: ", "))")
                }
                return
            }
            let missing = orderFlags.filter { $0.1 == nil }.map(\.0) + (item.isEmpty ? ["--item"] : [])
            guard missing.isEmpty else {
                throw ValidationError("give --file, or all of: \(missing.joined(separator: ", "))")
            }
            _ = try item.map(Self.parseItem)
        }

        /// `SKU:QTY` as a line; the quantity after the last colon (a SKU may hold colons).
        static func parseItem(_ text: String) throws -> PlaceOrderRequest.Item {
            guard let colon = text.lastIndex(of: ":"), let quantity = Int(text[text.index(after: colon)...]),
                colon != text.startIndex
            else {
                throw ValidationError("--item must be SKU:QUANTITY, such as SKU-1:2 (got '\(text)')")
            }
            return PlaceOrderRequest.Item(sku: String(text[..<colon]), quantity: quantity)
        }

        func run() async throws {
            let body = try self.body()
            let answer = try await options.connection.withClient { client in
                try await client.placeOrder(body: body, idempotencyKey: idempotencyKey)
            }
            try Printer(format: options.format).print(answer) { placed in
                var fields = FieldList()
                fields.add("order", placed.orderId)
                fields.add("saga", placed.sagaId)
                fields.add("status", placed.status)
                return fields.rendered
            }
        }

        /// The request body: the file's bytes unchanged, or the flags as JSON.
        func body() throws -> Data {
            if let file {
                let data: Data
                do {
                    data =
                        file == "-"
                        ? FileHandle.standardInput.readDataToEndOfFile()
                        : try Data(contentsOf: URL(fileURLWithPath: file))
                } catch {
                    throw ValidationError("cannot read \(file): \(error.localizedDescription)")
                }
                guard (try? JSONSerialization.jsonObject(with: data)) is [String: Any] else {
                    throw ValidationError("\(file == "-" ? "standard input" : file) is not a JSON object")
                }
                return data
            }
            let request = PlaceOrderRequest(
                customerId: customer ?? "", items: try item.map(Self.parseItem), paymentToken: token ?? "",
                shippingAddress: .init(
                    name: name ?? "", line1: line1 ?? "", city: city ?? "", postalCode: postalCode ?? "",
                    country: country ?? ""))
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            return try encoder.encode(request)
        }
    }
}

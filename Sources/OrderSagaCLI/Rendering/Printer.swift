import Foundation
import OrderSagaClient

/// Prints answers in the chosen ``OutputFormat``.
struct Printer {
    let format: OutputFormat

    /// Prints `answer`: `table` as `table(value)` renders it, `json` as the API's JSON pretty-printed, `jsonl` the
    /// members `listKey` names one per line (or the whole answer on one line).
    func print<Value>(_ answer: APIAnswer<Value>, listKey: String? = nil, table: (Value) -> String) throws {
        switch format {
        case .table:
            Console.write(table(answer.value))
        case .json:
            Console.write(try Self.pretty(answer.body))
        case .jsonl:
            let value = try Self.parse(answer.body)
            if let listKey, case .array(let items)? = value[listKey] {
                for item in items { Console.write(item.jsonText()) }
            } else {
                Console.write(value.jsonText())
            }
        }
    }

    /// JSON text, pretty-printed with sorted keys.
    static func pretty(_ value: JSONValue) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    /// A JSON body, pretty-printed.
    static func pretty(_ body: Data) throws -> String {
        pretty(try parse(body))
    }

    /// A JSON body as a value.
    static func parse(_ body: Data) throws -> JSONValue {
        do {
            return try JSONDecoder().decode(JSONValue.self, from: body)
        } catch {
            throw OrderSagaClientError.unexpectedAnswer("the answer is not JSON: \(error)")
        }
    }
}

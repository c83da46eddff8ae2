import Foundation
import Testing

/// The database writes one saga costs, from the service's command monitoring (`mongo_commands_total` on `/metrics`,
/// which every service of the test process shares: each test's databases have names of their own).
@Suite("Round trips per saga")
struct RoundTripTests {
    /// The service's commands so far, by `database.command`.
    static func commands(_ service: ServiceHarness) async throws -> [String: Double] {
        let metrics = try await service.request(.GET, "/metrics", key: nil).text
        var counts: [String: Double] = [:]
        for line in metrics.split(separator: "\n") where line.hasPrefix("mongo_commands_total{") {
            guard let close = line.firstIndex(of: "}"), let value = Double(line[line.index(after: close)...].trimmed)
            else { continue }
            var labels: [String: String] = [:]
            for pair in line[line.index(line.startIndex, offsetBy: 21)..<close].split(separator: ",") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2 else { continue }
                labels[String(parts[0])] = parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
            if let database = labels["database"], let command = labels["command"] {
                counts["\(database).\(command)", default: 0] += value
            }
        }
        return counts
    }

    /// The commands one happy-path order sent, by `database.command`, with its business and history databases.
    static func oneOrder(environment: [String: String] = [:]) async throws
        -> (sent: [String: Double], business: String, history: String)
    {
        try await ServiceHarness.run(environment: environment) { service in
            try await service.putProduct("SKU-1", stock: 10)
            let before = try await commands(service)
            let orderId = try await service.placeOrder()
            let saga = try await service.waitForTerminal(orderId)
            #expect(saga["status"] as? String == "COMPLETED")
            let after = try await commands(service)
            let sent = after.merging(before.mapValues { -$0 }) { $0 + $1 }.filter { $0.value != 0 }
            return (sent, service.database.name, service.historyDatabase.name)
        }
    }

    @Test(
        "where both stores share a deployment, a lone order writes in five commands: its order with its saga's start, each writing step's writes with its record, and the confirmation's record"
    )
    func stepWritesWithHistory() async throws {
        let (sent, business, history) = try await Self.oneOrder()
        let both = [business, history].sorted().joined(separator: "+")
        #expect(sent["\(both).bulkWrite"] == 4, "order and start, reserve, charge, ship: \(sent)")
        #expect(sent["\(history).update"] == 1, "the confirmation's record: \(sent)")
        for command in ["insert", "update", "delete", "findAndModify"] {
            #expect(sent["\(business).\(command)"] == nil, "no business \(command) of its own: \(sent)")
        }
        #expect(sent["\(history).insert"] == nil, "\(sent)")
    }

    @Test("with STEP_WRITES_WITH_HISTORY=false the same order makes every write a command of its own")
    func separateWrites() async throws {
        let (sent, business, history) = try await Self.oneOrder(environment: ["STEP_WRITES_WITH_HISTORY": "false"])
        #expect(sent["\([business, history].sorted().joined(separator: "+")).bulkWrite"] == nil, "\(sent)")
        #expect(sent["\(business).insert"] == 1, "the order: \(sent)")
        #expect(sent["\(business).update"] == 4, "hold, payment, shipment, commit: \(sent)")
        #expect(sent["\(history).insert"] == 1, "the saga's start: \(sent)")
        #expect(sent["\(history).update"] == 4, "each step's record: \(sent)")
    }
}

extension Substring {
    fileprivate var trimmed: String { trimmingCharacters(in: .whitespaces) }
}

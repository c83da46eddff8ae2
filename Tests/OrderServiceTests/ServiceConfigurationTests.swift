import Foundation
import Testing

@testable import OrderService

/// `INVENTORY_RETENTION` is checked against the stock steps' timeouts and the write timeout when the service starts.
@Suite("Service configuration")
struct ServiceConfigurationTests {
    @Test("step writes go with the history's records by default, only where both stores share a deployment")
    func stepWritesWithHistory() throws {
        #expect(try ServiceConfiguration.fromEnvironment([:]).historyTakesStepWrites)
        #expect(try !ServiceConfiguration.fromEnvironment(["STEP_WRITES_WITH_HISTORY": "false"]).historyTakesStepWrites)
        #expect(try ServiceConfiguration.fromEnvironment(["STEP_WRITES_WITH_HISTORY": "TRUE"]).historyTakesStepWrites)
        let elsewhere = try ServiceConfiguration.fromEnvironment(["HISTORY_MONGODB_URI": "mongodb://127.0.0.1:1/"])
        #expect(elsewhere.stepWritesWithHistory && !elsewhere.historyTakesStepWrites)
        #expect {
            try ServiceConfiguration.fromEnvironment(["STEP_WRITES_WITH_HISTORY": "yes"])
        } throws: { "\($0)".contains("STEP_WRITES_WITH_HISTORY must be true or false") }
    }

    @Test(
        "the inventory retention defaults to 30s and must be at least twice the stock steps' timeouts and the write timeout, the longest named"
    )
    func inventoryRetention() throws {
        #expect(try ServiceConfiguration.fromEnvironment([:]).inventoryRetention == .seconds(30))
        #expect(
            try ServiceConfiguration.fromEnvironment(["INVENTORY_RETENTION": "20s"]).inventoryRetention == .seconds(20))
        #expect(
            try ServiceConfiguration.fromEnvironment(["STEP_TIMEOUT_ChargePayment": "20s"]).inventoryRetention
                == .seconds(30), "a step that creates no stock marker does not count")
        let refused: [([String: String], String)] = [
            (["INVENTORY_RETENTION": "19s"], "ms)"),
            (["STEP_TIMEOUT_ReserveInventory": "20s"], "(STEP_TIMEOUT_ReserveInventory: 20000ms)"),
            (["STEP_TIMEOUT_ReleaseInventory": "16s"], "(STEP_TIMEOUT_ReleaseInventory: 16000ms)"),
            (["WRITE_TIMEOUT": "16s"], "(WRITE_TIMEOUT: 16000ms)"),
        ]
        for (environment, named) in refused {
            let error = #expect(throws: ServiceConfiguration.Invalid.self, "\(environment)") {
                try ServiceConfiguration.fromEnvironment(environment)
            }
            #expect(error?.description.hasPrefix("INVENTORY_RETENTION must be at least twice") == true)
            #expect(error?.description.hasSuffix(named) == true, "\(String(describing: error))")
        }
        #expect(
            try ServiceConfiguration.fromEnvironment([
                "STEP_TIMEOUT_ReserveInventory": "20s", "INVENTORY_RETENTION": "1m",
            ]).inventoryRetention == .seconds(60))
    }
}

import Foundation
import Testing

/// The operator console's files at `/console`, and what its running-step card reads from the saga view.
@Suite("The console over HTTP")
struct ConsoleTests {
    @Test("the console's page and modules need no key, have their types and a strict policy; a missing file is 404")
    func consoleFiles() async throws {
        try await ServiceHarness.run { service in
            for path in ["/console", "/console/"] {
                let page = try await service.request(.GET, path, key: nil)
                #expect(page.status == 200, "\(path)")
                #expect(page.contentType?.hasPrefix("text/html") == true, "\(path)")
                #expect(page.text.contains(#"<script type="module" src="/console/app.js"></script>"#))
                let policy = page.headers.first(name: "content-security-policy") ?? ""
                #expect(policy.contains("default-src 'none'") && policy.contains("script-src 'self'"), "\(policy)")
                #expect(!policy.contains("unsafe-inline"), "no inline script or style is allowed")
                #expect(page.headers.first(name: "x-content-type-options") == "nosniff")
            }
            let module = try await service.request(.GET, "/console/app.js", key: nil)
            #expect(module.status == 200)
            #expect(module.contentType == "text/javascript; charset=utf-8")
            #expect(
                try await service.request(.GET, "/console/console.css", key: nil).contentType
                    == "text/css; charset=utf-8")
            let missing = try await service.request(.GET, "/console/missing.js", key: nil)
            #expect(missing.status == 404)
            #expect(missing.contentType == "application/problem+json")
            #expect(try await service.request(.POST, "/console", key: nil).status == 405)
            #expect(try await service.request(.GET, "/console/%2e%2e/openapi.yaml", key: nil).status == 400)
            #expect(
                try await service.request(.GET, "/v1/sagas/stats", key: nil).status == 401, "the API still needs a key")
        }
    }

    @Test("each action step and compensation says how many attempts its policy allows; waits say null")
    func attemptLimits() async throws {
        try await ServiceHarness.run(environment: ["STEP_MAX_ATTEMPTS_ChargePayment": "4"]) { service in
            try await service.putProduct("SKU-1")
            let orderId = try await service.placeOrder()
            _ = try await service.waitForTerminal(orderId)
            let steps = try await service.saga(orderId)["steps"] as? [[String: Any]] ?? []
            let charge = steps.first { $0["name"] as? String == "ChargePayment" }
            #expect(charge?["maxAttempts"] as? Int == 4, "the setting, not the default of 8")
            #expect(steps.first { $0["name"] as? String == "SendConfirmation" }?["maxAttempts"] as? Int == 36)
            #expect(steps.allSatisfy { $0.keys.contains("maxAttempts") }, "present on every step, null where none")
            let approval = steps.first { $0["name"] as? String == "AwaitApproval" }
            #expect(approval == nil || approval?["maxAttempts"] is NSNull)
        }
    }
}

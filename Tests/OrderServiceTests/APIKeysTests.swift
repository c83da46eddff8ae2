import Testing

@testable import OrderService

/// Parsing `API_KEYS`, and keeping key text out of what gets logged.
@Suite struct APIKeysTests {
    @Test func parsesOperatorCustomerAndBoundCustomerKeys() throws {
        let keys = try APIKeys(parsing: " op-secret-1:operator , cu-secret-2:customer,cb-secret-3:customer:c-42 ")
        #expect(keys.principal(for: "op-secret-1")?.role == .operator)
        #expect(keys.principal(for: "cu-secret-2")?.role == .customer)
        #expect(keys.principal(for: "cu-secret-2")?.boundCustomerId == nil)
        #expect(keys.principal(for: "cb-secret-3")?.boundCustomerId == "c-42")
        #expect(keys.principal(for: "unknown-key") == nil)
    }

    @Test func logLabelIsAFingerprintThatSharesNoKeyText() throws {
        let key = "op-secret-1"
        let label = try #require(try APIKeys(parsing: "\(key):operator").principal(for: key)?.actor)
        #expect(label == APIKeys.fingerprint(of: key))
        #expect(label.hasPrefix("key#") && label.count == 12)
        #expect(!label.contains("op-s"))
        #expect(APIKeys.fingerprint(of: "op-secret-2") != label)
    }

    @Test(arguments: [
        ("short:operator", 1),
        ("good-key-1:operator,good-key-2:admin", 2),
        ("good-key-1:operator,good-key-1:customer", 2),
        ("good-key-1:customer:", 1),
        ("bad key with space:operator", 1),
    ])
    func rejectsBadEntriesWithoutEchoingKeyText(text: String, entryNumber: Int) {
        do {
            _ = try APIKeys(parsing: text)
            Issue.record("\(text) parsed")
        } catch let error as APIKeys.ParseError {
            #expect(error.entryNumber == entryNumber)
            #expect(!error.description.contains("good"))
            #expect(!error.description.contains("short"))
            #expect(!error.description.contains("bad k"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func rejectsAValueWithNoKeys() {
        #expect(throws: APIKeys.ParseError(entryNumber: nil, reason: "no keys")) { try APIKeys(parsing: " , ") }
    }

    @Test func viewerAndCustomRolesAreSetsOfActions() throws {
        let roles = try Role.table(parsing: " support = orders.read, sagas.read ,sagas.cancel ; auditor=sagas.read")
        let keys = try APIKeys(parsing: "vi-secret-1:viewer,su-secret-2:support,au-secret-3:auditor", roles: roles)
        #expect(keys.principal(for: "vi-secret-1")?.role == .viewer)
        let support = try #require(keys.principal(for: "su-secret-2")?.role)
        #expect(support.name == "support" && support.actions == [.ordersRead, .sagasRead, .sagasCancel])
        #expect(!support.allows(.sagasRefund))
        #expect(keys.principal(for: "au-secret-3")?.role.actions == [.sagasRead])
        #expect(Role.viewer.actions.allSatisfy { $0.rawValue.hasSuffix(".read") }, "a viewer changes nothing")
        #expect(throws: APIKeys.ParseError.self) { try APIKeys(parsing: "su-secret-2:support") }
    }

    @Test(arguments: [
        ("support=orders.read,sagas.delete", "unknown action 'sagas.delete'"),
        ("operator=sagas.read", "operator is a built-in role"),
        ("support", "is not name=action"),
        ("a=sagas.read;a=orders.read", "a is defined twice"),
        ("support=", "support has no actions"),
    ])
    func refusesBadRoles(text: String, message: String) {
        do {
            _ = try Role.table(parsing: text)
            Issue.record("\(text) parsed")
        } catch {
            #expect(error.description.contains(message), "\(error)")
        }
    }
}

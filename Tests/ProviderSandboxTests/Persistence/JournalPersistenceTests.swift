import Foundation
import HummingbirdTesting
import Testing

@testable import ProviderSandbox

@Suite("Persistence across restarts")
struct JournalPersistenceTests {
    /// What the first run of the sandbox answered and recorded.
    struct FirstRun: Sendable {
        let charges: [ChargeEntry]
        let shipments: [ShipmentEntry]
        let messages: [MessageEntry]
        let chargeAnswer: String
    }

    @Test("ledgers, stored answers, voided keys and token attempts survive a restart")
    func survivesRestart() async throws {
        try await withTemporaryDirectory { directory async throws in
            let configuration = SandboxFixture.configuration(dataDirectory: directory)
            let first = try await SandboxFixture.withSandbox(configuration) { client async throws in
                let charge = try await client.charge(orderId: "o-1", key: "c1")
                _ = try await client.refund(orderId: "o-1", key: "r1", chargeKey: "c1")
                _ = try await client.refund(orderId: "o-2", key: "r2", chargeKey: "c2")
                _ = try await client.createShipment(orderId: "o-1", key: "s1")
                _ = try await client.cancelShipment(orderId: "o-1", key: "x1", shipmentKey: "s1")
                _ = try await client.sendMessage(orderId: "o-1", key: "m1")
                #expect(
                    try await client.charge(orderId: "o-3", key: "f1", token: "tok_flaky").status == .serviceUnavailable
                )
                return FirstRun(
                    charges: try await client.chargesLedger(), shipments: try await client.shipmentsLedger(),
                    messages: try await client.messagesLedger(), chargeAnswer: charge.text)
            }
            #expect(first.charges.count == 2)
            #expect(first.shipments.map(\.status) == [.cancelled])

            try await SandboxFixture.withSandbox(configuration) { client async throws in
                #expect(try await client.chargesLedger() == first.charges)
                #expect(try await client.shipmentsLedger() == first.shipments)
                #expect(try await client.messagesLedger() == first.messages)

                let replay = try await client.charge(orderId: "o-1", key: "c1")
                #expect(replay.isReplayed)
                #expect(replay.text == first.chargeAnswer)
                #expect(try await client.charge(orderId: "o-2", key: "c2").status == .conflict)
                #expect(
                    try await client.charge(orderId: "o-3", key: "f1", token: "tok_flaky").status == .serviceUnavailable
                )
                #expect(try await client.charge(orderId: "o-3", key: "f1", token: "tok_flaky").status == .created)
                #expect(try await client.chargesLedger().count == 3)
            }
        }
    }

    @Test("a torn last line is dropped and later lines start clean")
    func tornLastLine() async throws {
        try await withTemporaryDirectory { directory async throws in
            let configuration = SandboxFixture.configuration(dataDirectory: directory)
            try await SandboxFixture.withSandbox(configuration) { client async throws in
                _ = try await client.charge(orderId: "o-1", key: "c1")
            }
            let journal = URL(fileURLWithPath: directory).appendingPathComponent(JournalFile.fileName)
            let handle = try FileHandle(forWritingTo: journal)
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(#"{"events":[{"chargeRec"#.utf8))
            try handle.close()

            try await SandboxFixture.withSandbox(configuration) { client async throws in
                #expect(try await client.chargesLedger().count == 1)
                #expect(try await client.charge(orderId: "o-1", key: "c2").status == .created)
            }
            try await SandboxFixture.withSandbox(configuration) { client async throws in
                #expect(try await client.chargesLedger().map(\.idempotencyKey) == ["c1", "c2"])
            }
        }
    }

    @Test("a corrupted line in the middle of the journal stops the sandbox from starting")
    func corruptedJournal() async throws {
        try await withTemporaryDirectory { directory async throws in
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let journal = URL(fileURLWithPath: directory).appendingPathComponent(JournalFile.fileName)
            try Data("garbage\n{\"events\":[]}\n".utf8).write(to: journal)
            await #expect(throws: JournalError.self) {
                _ = try await buildSandboxApplication(
                    configuration: SandboxFixture.configuration(dataDirectory: directory))
            }
        }
    }

    @Test("without a data directory nothing is written and a new sandbox starts empty")
    func inMemory() async throws {
        try await SandboxFixture.withSandbox { client async throws in
            _ = try await client.charge(orderId: "o-1", key: "c1")
        }
        try await SandboxFixture.withSandbox { client async throws in
            #expect(try await client.chargesLedger().isEmpty)
        }
    }
}

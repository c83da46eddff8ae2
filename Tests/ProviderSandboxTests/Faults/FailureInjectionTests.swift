import HummingbirdTesting
import Testing

@testable import ProviderSandbox

@Suite("Failure and latency injection")
struct FailureInjectionTests {
    @Test("failure rate 1.0: every mutating call answers 503 and nothing is stored")
    func everyCallFails() async throws {
        try await SandboxFixture.withSandbox(SandboxFixture.configuration(failureRate: 1.0)) { client async throws in
            let answers = [
                try await client.charge(orderId: "o-1", key: "c1"),
                try await client.refund(orderId: "o-1", key: "r1", chargeKey: "c1"),
                try await client.createShipment(orderId: "o-1", key: "s1"),
                try await client.cancelShipment(orderId: "o-1", key: "x1", shipmentKey: "s1"),
                try await client.sendMessage(orderId: "o-1", key: "m1"),
                try await client.post("/payments/charges", key: nil, body: "not json"),
            ]
            for answer in answers {
                #expect(answer.status == .serviceUnavailable)
                #expect(try answer.errorCode() == "unavailable")
            }
            #expect(try await client.chargesLedger().isEmpty)
            #expect(try await client.shipmentsLedger().isEmpty)
            #expect(try await client.messagesLedger().isEmpty)
            #expect(try await client.get("/health").status == .ok)
            let stats = try await client.stats()
            #expect(stats.totalInjectedFailures == 6)
            #expect(stats.injectedFailures[SandboxRoute.charges] == 2)
        }
    }

    @Test("failure rate 0.0: no call is failed")
    func noCallFails() async throws {
        try await SandboxFixture.withSandbox(SandboxFixture.configuration(failureRate: 0)) { client async throws in
            for index in 0..<50 {
                #expect(try await client.charge(orderId: "o-\(index)", key: "k-\(index)").status == .created)
            }
            #expect(try await client.chargesLedger().count == 50)
            #expect(try await client.stats().totalInjectedFailures == 0)
        }
    }

    @Test("an injected 503 is not stored under the key: the retry can succeed")
    func injectedFailureIsNotStored() async throws {
        try await withTemporaryDirectory { directory async throws in
            let failing = SandboxFixture.configuration(dataDirectory: directory, failureRate: 1.0)
            try await SandboxFixture.withSandbox(failing) { client async throws in
                #expect(try await client.charge(orderId: "o-1", key: "c1").status == .serviceUnavailable)
            }
            let healthy = SandboxFixture.configuration(dataDirectory: directory, failureRate: 0)
            try await SandboxFixture.withSandbox(healthy) { client async throws in
                let retry = try await client.charge(orderId: "o-1", key: "c1")
                #expect(retry.status == .created)
                #expect(!retry.isReplayed)
                #expect(try await client.chargesLedger().count == 1)
            }
        }
    }

    @Test("a seeded injector fails about the configured share, the same calls every run")
    func seededShare() async {
        let first = FaultInjector(failureRate: 0.3, latency: .none, seed: 7)
        let second = FaultInjector(failureRate: 0.3, latency: .none, seed: 7)
        var firstDecisions: [Bool] = []
        var secondDecisions: [Bool] = []
        for _ in 0..<1000 {
            firstDecisions.append(await first.shouldInjectFailure())
            secondDecisions.append(await second.shouldInjectFailure())
        }
        #expect(firstDecisions == secondDecisions)
        let failures = firstDecisions.filter { $0 }.count
        #expect((230...370).contains(failures))
    }

    @Test("added latency stays within the configured range")
    func latencyRange() async throws {
        let range = try #require(LatencyRange(parsing: "5-20"))
        let injector = FaultInjector(failureRate: 0, latency: range, seed: 1)
        var seen: Set<Duration> = []
        for _ in 0..<200 {
            let latency = await injector.nextLatency()
            #expect(latency >= .milliseconds(5) && latency <= .milliseconds(20))
            seen.insert(latency)
        }
        #expect(seen.count > 1)
        #expect(await FaultInjector(failureRate: 0, latency: .none, seed: 1).nextLatency() == .zero)
    }

    @Test("configured latency delays mutating calls")
    func latencyDelaysCalls() async throws {
        var configuration = SandboxFixture.configuration()
        configuration.latency = try #require(LatencyRange(parsing: "100"))
        try await SandboxFixture.withSandbox(configuration) { client async throws in
            let started = ContinuousClock.now
            #expect(try await client.charge(orderId: "o-1", key: "k").status == .created)
            #expect(ContinuousClock.now - started >= .milliseconds(100))
        }
    }
}

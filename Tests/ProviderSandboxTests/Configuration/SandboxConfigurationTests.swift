import Testing

@testable import ProviderSandbox

@Suite("Configuration from the environment")
struct SandboxConfigurationTests {
    @Test("an empty environment gives the documented defaults")
    func defaults() throws {
        let configuration = try SandboxConfiguration(environment: [:])
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.port == 8090)
        #expect(configuration.dataDirectory == nil)
        #expect(configuration.failureRate == 0)
        #expect(configuration.latency == .none)
        #expect(configuration.slowDelay == .milliseconds(3000))
        #expect(configuration.seed == nil)
    }

    @Test("every variable is read")
    func everyVariable() throws {
        let configuration = try SandboxConfiguration(environment: [
            "SANDBOX_PORT": "9001", "SANDBOX_HOST": "0.0.0.0", "SANDBOX_DATA_DIR": "/tmp/ledgers",
            "SANDBOX_FAILURE_RATE": "0.3", "SANDBOX_LATENCY_MS": "10-50", "SANDBOX_SLOW_DELAY_MS": "250",
            "SANDBOX_SEED": "12345",
        ])
        #expect(configuration.port == 9001)
        #expect(configuration.host == "0.0.0.0")
        #expect(configuration.dataDirectory == "/tmp/ledgers")
        #expect(configuration.failureRate == 0.3)
        #expect(configuration.latency == LatencyRange(minimumMilliseconds: 10, maximumMilliseconds: 50))
        #expect(configuration.slowDelay == .milliseconds(250))
        #expect(configuration.seed == 12345)
    }

    @Test("a fixed latency is a range of one value")
    func fixedLatency() throws {
        let configuration = try SandboxConfiguration(environment: ["SANDBOX_LATENCY_MS": "40"])
        #expect(configuration.latency.minimumMilliseconds == 40)
        #expect(configuration.latency.maximumMilliseconds == 40)
        #expect(configuration.latency.description == "40")
    }

    @Test(
        "unusable values are refused, naming the variable",
        arguments: [
            ("SANDBOX_PORT", "http"), ("SANDBOX_PORT", "70000"), ("SANDBOX_FAILURE_RATE", "1.5"),
            ("SANDBOX_FAILURE_RATE", "-0.1"), ("SANDBOX_FAILURE_RATE", "nan"), ("SANDBOX_LATENCY_MS", "50-10"),
            ("SANDBOX_LATENCY_MS", "1-2-3"), ("SANDBOX_LATENCY_MS", "-5"), ("SANDBOX_SLOW_DELAY_MS", "3s"),
            ("SANDBOX_SEED", "-1"),
        ])
    func refused(variable: String, value: String) {
        #expect(throws: SandboxConfigurationError.self) {
            _ = try SandboxConfiguration(environment: [variable: value])
        }
        do {
            _ = try SandboxConfiguration(environment: [variable: value])
        } catch {
            #expect(error.variable == variable)
            #expect(error.description.contains(value))
        }
    }
}

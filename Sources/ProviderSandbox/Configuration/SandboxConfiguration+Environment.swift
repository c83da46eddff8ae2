/// Reading a ``SandboxConfiguration`` from `SANDBOX_*` environment variables.
extension SandboxConfiguration {
    /// The environment variables the sandbox reads.
    public enum EnvironmentVariable {
        /// The TCP port.
        public static let port = "SANDBOX_PORT"
        /// The interface to listen on.
        public static let host = "SANDBOX_HOST"
        /// The journal folder.
        public static let dataDirectory = "SANDBOX_DATA_DIR"
        /// The injected failure share, 0.0 to 1.0.
        public static let failureRate = "SANDBOX_FAILURE_RATE"
        /// The added latency, `"ms"` or `"min-max"`.
        public static let latency = "SANDBOX_LATENCY_MS"
        /// The `tok_slow` delay in milliseconds.
        public static let slowDelay = "SANDBOX_SLOW_DELAY_MS"
        /// The random seed.
        public static let seed = "SANDBOX_SEED"
    }

    /// Reads the configuration from `environment`; unset or empty variables keep their defaults.
    ///
    /// - Throws: ``SandboxConfigurationError`` naming the first variable whose value is unusable.
    public init(environment: [String: String]) throws(SandboxConfigurationError) {
        self.init()
        func value(_ name: String) -> String? {
            environment[name].flatMap { $0.isEmpty ? nil : $0 }
        }
        if let text = value(EnvironmentVariable.host) {
            host = text
        }
        if let text = value(EnvironmentVariable.port) {
            guard let port = Int(text), (0...65535).contains(port) else {
                throw SandboxConfigurationError(
                    variable: EnvironmentVariable.port, value: text, expectation: "a port number from 0 to 65535")
            }
            self.port = port
        }
        if let text = value(EnvironmentVariable.dataDirectory) {
            dataDirectory = text
        }
        if let text = value(EnvironmentVariable.failureRate) {
            guard let rate = Double(text), rate >= 0, rate <= 1 else {
                throw SandboxConfigurationError(
                    variable: EnvironmentVariable.failureRate, value: text, expectation: "a number from 0.0 to 1.0")
            }
            failureRate = rate
        }
        if let text = value(EnvironmentVariable.latency) {
            guard let range = LatencyRange(parsing: text) else {
                throw SandboxConfigurationError(
                    variable: EnvironmentVariable.latency, value: text,
                    expectation: "milliseconds such as \"50\" or a range such as \"10-100\"")
            }
            latency = range
        }
        if let text = value(EnvironmentVariable.slowDelay) {
            guard let milliseconds = Int(text), milliseconds >= 0 else {
                throw SandboxConfigurationError(
                    variable: EnvironmentVariable.slowDelay, value: text, expectation: "a whole number of milliseconds")
            }
            slowDelay = .milliseconds(milliseconds)
        }
        if let text = value(EnvironmentVariable.seed) {
            guard let seed = UInt64(text) else {
                throw SandboxConfigurationError(
                    variable: EnvironmentVariable.seed, value: text, expectation: "an unsigned 64-bit integer")
            }
            self.seed = seed
        }
    }
}

/// A configuration value that cannot be used, naming the variable and the rule it breaks.
public struct SandboxConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The environment variable (or the property) that holds the value.
    public let variable: String
    /// The value as given.
    public let value: String
    /// What an acceptable value looks like.
    public let expectation: String

    /// A readable one-line explanation.
    public var description: String {
        "\(variable)=\"\(value)\" is invalid: expected \(expectation)"
    }
}

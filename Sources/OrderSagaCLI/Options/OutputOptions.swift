import ArgumentParser

/// How a command prints what the API answered.
enum OutputFormat: String, CaseIterable, ExpressibleByArgument, Sendable {
    /// Aligned columns for people.
    case table
    /// The API's JSON, pretty-printed.
    case json
    /// One JSON object per line: a list's items one per line, a watch's events one per line.
    case jsonl
}

/// `--output table|json|jsonl`.
struct OutputOptions: ParsableArguments {
    @Option(name: [.customLong("output"), .customShort("o")], help: "table, json or jsonl.")
    var format: OutputFormat = .table
}

/// The options every command that talks to the service takes.
struct ClientOptions: ParsableArguments {
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions

    var format: OutputFormat { output.format }
}

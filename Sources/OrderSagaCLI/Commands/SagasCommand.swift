import ArgumentParser

/// `order-saga sagas …`: list, count, inspect, follow and retry sagas.
struct SagasCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sagas", abstract: "List, count, show, watch and retry sagas.",
        subcommands: [List.self, Stats.self, Show.self, Watch.self, Retry.self])
}

import Foundation
import Synchronization

/// The definitions an engine can run, by name and version.
///
/// Register every version that may still have running sagas: the engine runs a saga on exactly the
/// version it started on, and leaves a saga whose version is unknown untouched (logging an error).
///
/// ```swift
/// let registry = SagaRegistry()
/// try registry.register(orderSagaV1)
/// try registry.register(orderSagaV2)
/// registry.latest("order")?.version   // 2
/// ```
public final class SagaRegistry: Sendable {
    private struct Key: Hashable {
        let name: String
        let version: Int
    }

    private let definitions = Mutex<[Key: AnySagaDefinition]>([:])

    /// Creates an empty registry.
    public init() {}

    /// Validates and adds `definition`; a second definition with the same name and version is refused.
    public func register<Input: Codable & Sendable>(_ definition: SagaDefinition<Input>) throws(SagaDefinitionError) {
        try definition.validate()
        let key = Key(name: definition.name, version: definition.version)
        let erased = definition.erased
        let inserted = definitions.withLock { table -> Bool in
            guard table[key] == nil else { return false }
            table[key] = erased
            return true
        }
        guard inserted else { throw .alreadyRegistered(name: definition.name, version: definition.version) }
    }

    /// The definition `name` at `version`, if registered.
    public func definition(name: String, version: Int) -> AnySagaDefinition? {
        definitions.withLock { $0[Key(name: name, version: version)] }
    }

    /// The highest registered version of `name`.
    public func latest(_ name: String) -> AnySagaDefinition? {
        definitions.withLock { table in
            table.filter { $0.key.name == name }.max { $0.key.version < $1.key.version }?.value
        }
    }

    /// The names of the registered definitions, sorted.
    public var names: [String] {
        definitions.withLock { table in Set(table.keys.map(\.name)).sorted() }
    }

    /// The registered versions of `name`, ascending.
    public func versions(of name: String) -> [Int] {
        definitions.withLock { table in table.keys.filter { $0.name == name }.map(\.version).sorted() }
    }

    /// Every registered definition's versions, by name: what an executor with this registry can run.
    public var runnable: [String: Set<Int>] {
        definitions.withLock { table in
            table.keys.reduce(into: [:]) { runnable, key in runnable[key.name, default: []].insert(key.version) }
        }
    }
}

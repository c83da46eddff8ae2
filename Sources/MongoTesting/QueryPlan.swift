import Mongo

/// The plan a server chose for a command (`explain`, query planner verbosity): the stages and the indexes it uses,
/// so a test can check that an access path is served by an index on the server it runs against.
///
/// ```swift
/// let plan = try await QueryPlan.explain(["find": "orders", "filter": ["idempotencyScope": "…"]], in: database)
/// #expect(plan.isIndexed(by: "idempotencyScope"))
/// ```
public struct QueryPlan: Sendable, CustomStringConvertible {
    /// Every stage of the winning plan, outermost first.
    public let stages: [String]
    /// The names of the indexes its scans use.
    public let indexes: [String]

    /// The winning plan of `command` in `database`.
    public static func explain(_ command: Document, in database: MongoDatabase) async throws -> QueryPlan {
        let reply = try await database.runCommand(["explain": .document(command), "verbosity": "queryPlanner"])
        var stages: [String] = []
        var indexes: [String] = []
        func walk(_ node: Document) {
            if let stage = node["stage"]?.stringValue { stages.append(stage) }
            if let index = node["indexName"]?.stringValue { indexes.append(index) }
            for key in ["inputStage", "queryPlan"] {
                if let child = node[key]?.documentValue { walk(child) }
            }
            for child in node["inputStages"]?.arrayValue ?? [] {
                if let child = child.documentValue { walk(child) }
            }
        }
        if let plan = reply[path: "queryPlanner.winningPlan"]?.documentValue { walk(plan) }
        return QueryPlan(stages: stages, indexes: indexes)
    }

    /// Whether the plan reads no collection scan and looks documents up through `index` (`_id_` also through
    /// the server's `_id` fast path).
    public func isIndexed(by index: String) -> Bool {
        guard !stages.contains("COLLSCAN") else { return false }
        if index == "_id_", stages.contains(where: { $0 == "IDHACK" || $0 == "EXPRESS_IXSCAN" }) { return true }
        return indexes.contains(index)
    }

    /// Whether the plan sorts in memory.
    public var sortsInMemory: Bool { stages.contains("SORT") }

    public var description: String { "stages \(stages), indexes \(indexes)" }
}

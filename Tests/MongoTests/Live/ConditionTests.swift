import Foundation
import Mongo
import MongoTesting
import Testing

/// `Condition`'s clauses match what the bare clauses match. (What they save is the local server's planning, which
/// its `explain` does not show: `Scripts/bench/statement_cost.py` measures it.)
@Suite("Compare-and-set conditions against the live server")
struct ConditionTests {
    /// Documents whose `a` is equal, lower, higher, of another type, null, missing, or an array holding the value,
    /// and whose `a.b` is the value, another, or missing, in a subdocument or in an array of them.
    static let documents: [Document] = [
        ["_id": "equal", "a": 5], ["_id": "lower", "a": 4], ["_id": "higher", "a": 6], ["_id": "text", "a": "5"],
        ["_id": "null", "a": .null], ["_id": "missing"], ["_id": "array", "a": [7, 5]],
        ["_id": "long", "a": .int64(5)], ["_id": "nested", "a": ["b": 5]], ["_id": "nestedOther", "a": ["c": 5]],
        ["_id": "nestedNull", "a": ["b": .null]], ["_id": "nestedArray", "a": [["b": 6], ["b": .int64(5)]]],
    ]

    static func matches(_ clause: BSONValue, at path: String, in collection: MongoCollection<Document>) async throws
        -> Set<String>
    {
        Set(try await collection.find([path: clause]).toArray().compactMap { $0["_id"]?.stringValue })
    }

    @Test(
        "each condition matches exactly the documents of the bare clause, for values and for null, at a field or a path",
        arguments: [
            ("a", Condition.equals(5), .int32(5)),
            ("a", Condition.equals(.int64(5)), .document(["$eq": .int64(5)])),
            ("a", Condition.equals("5"), .document(["$eq": "5"])),
            ("a", Condition.equals(.null), .null),
            ("a", Condition.atLeast(5), .document(["$gte": 5])),
            ("a", Condition.atLeast(.null), .document(["$gte": .null])),
            ("a", Condition.atMost(5), .document(["$lte": 5])),
            ("a", Condition.atMost(.null), .document(["$lte": .null])),
            ("a.b", Condition.equals(5), .int32(5)),
            ("a.b", Condition.equals(.null), .null),
            ("a.b", Condition.atMost(.int64(5)), .document(["$lte": .int64(5)])),
            ("a.b", Condition.atLeast(6), .document(["$gte": 6])),
        ] as [(String, BSONValue, BSONValue)])
    func sameMatches(path: String, condition: BSONValue, bare: BSONValue) async throws {
        try await TestDeployment.withDatabase { database in
            let collection = database.collection("conditions")
            _ = try await collection.insertMany(Self.documents)
            let expected = try await Self.matches(bare, at: path, in: collection)
            #expect(!expected.isEmpty)
            #expect(
                try await Self.matches(condition, at: path, in: collection) == expected,
                "\(path): \(condition) against \(bare)")
        }
    }

    @Test("a non-null condition also asks for the field, and a null one is the bare clause")
    func spelling() {
        #expect(Condition.equals(5) == .document(["$eq": 5, "$exists": true]))
        #expect(Condition.atLeast(5) == .document(["$gte": 5, "$exists": true]))
        #expect(Condition.atMost(5) == .document(["$lte": 5, "$exists": true]))
        #expect(Condition.equals(.null) == .null)
        #expect(Condition.atLeast(.null) == .document(["$gte": .null]))
        #expect(Condition.atMost(.null) == .document(["$lte": .null]))
    }
}

/// Conditions for a write's filter beside an equality on `_id`, spelled so that no planner looks for an index to
/// serve them.
///
/// A compare-and-set names its document by `_id` and checks the rest of its filter against that one document. The
/// local MongoDB-wire server plans such a filter clause by clause before it settles on the `_id`, reading its index
/// catalog again for every bare equality or range clause: a history append's four conditions cost it about 0.8 ms of
/// its 2.3 ms per statement (BENCHMARKS.md). A clause that also asks for the field to be present is one it passes
/// over. For any value but null it matches exactly the documents the bare clause matches (a missing field equals and
/// orders against no such value), and `mongod` plans the `_id` either way. A null value keeps the bare clause, whose
/// meaning ("null or missing") the extra condition would change.
///
/// ```swift
/// let filter: Document = ["_id": "saga-1", "seq": Condition.equals(.int64(4)), "stock": Condition.atLeast(.int64(2))]
/// ```
public enum Condition {
    /// The field equals `value`.
    public static func equals(_ value: BSONValue) -> BSONValue {
        present("$eq", value)
    }

    /// The field is at least `value`.
    public static func atLeast(_ value: BSONValue) -> BSONValue {
        present("$gte", value)
    }

    /// The field is at most `value`.
    public static func atMost(_ value: BSONValue) -> BSONValue {
        present("$lte", value)
    }

    private static func present(_ comparison: String, _ value: BSONValue) -> BSONValue {
        guard value != .null else { return comparison == "$eq" ? value : [comparison: value] }
        return [comparison: value, "$exists": true]
    }
}

/// Conditions for a write's filter beside an equality on `_id`, spelled so that the local server's planner passes
/// over them.
///
/// A compare-and-set names its document by `_id` and checks the rest of its filter against that one document. The
/// local MongoDB-wire server plans such a filter clause by clause before it settles on the `_id`, reading its index
/// catalog again for every bare equality or range clause: a history append's four conditions cost it about 0.8 ms of
/// its 2.3 ms per statement (BENCHMARKS.md). A clause that also asks for the field to be present is one it passes
/// over, and `mongod` plans the `_id` either way.
///
/// For a value of a plain type (a string, a number, a date, a boolean) such a clause matches exactly the documents the
/// bare clause matches, since a missing field equals and orders against none of them. A null value keeps the bare
/// clause, whose meaning ("null or missing") the extra condition would change; MinKey, MaxKey, regular expressions
/// and documents whose keys start with `$` are not for these conditions.
///
/// ```swift
/// let filter: Document = ["_id": "saga-1", "seq": Condition.equals(.int64(4)), "stock": Condition.atLeast(.int64(2))]
/// ```
public enum Condition {
    /// The field equals `value`.
    public static func equals(_ value: BSONValue) -> BSONValue {
        value == .null ? .null : ["$eq": value, "$exists": true]
    }

    /// The field is at least `value`.
    public static func atLeast(_ value: BSONValue) -> BSONValue {
        value == .null ? ["$gte": .null] : ["$gte": value, "$exists": true]
    }

    /// The field is at most `value`.
    public static func atMost(_ value: BSONValue) -> BSONValue {
        value == .null ? ["$lte": .null] : ["$lte": value, "$exists": true]
    }
}

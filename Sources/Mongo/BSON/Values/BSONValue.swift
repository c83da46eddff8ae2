import Foundation

/// One BSON value, of any BSON type.
///
/// ```swift
/// let value: BSONValue = ["sku": "A-1", "quantity": 2, "tags": ["new", "sale"]]
/// value.documentValue?["quantity"]?.int64Value   // 2
/// ```
///
/// Integer literals are `int64`, floating point literals `double`, dictionary literals ordered documents and `nil`
/// is `null`. Equality compares case and payload (documents by their bytes, so `int32(1)` and `int64(1)` differ).
///
/// The deprecated BSON types without a case here (symbol, JavaScript code, code with scope, DBPointer) are read
/// as the document of their canonical Extended JSON form: `{"$symbol": s}`, `{"$code": c}`,
/// `{"$code": c, "$scope": {...}}`, `{"$dbPointer": {"$ref": ns, "$id": oid}}`. Writing such a value back writes
/// that document, not the deprecated type; the raw bytes of a `Document` keep the original until replaced.
public indirect enum BSONValue: Sendable, Hashable {
    /// A 64-bit binary floating point number (never used for money; see `decimal128`).
    case double(Double)
    /// A UTF-8 string.
    case string(String)
    /// An embedded, ordered document.
    case document(Document)
    /// An array.
    case array([BSONValue])
    /// Binary data with a subtype.
    case binary(BSONBinary)
    /// An ObjectId.
    case objectId(ObjectId)
    /// A boolean.
    case bool(Bool)
    /// A UTC datetime with millisecond precision (sub-millisecond parts are rounded when written).
    case datetime(Date)
    /// Null.
    case null
    /// A 32-bit integer.
    case int32(Int32)
    /// A 64-bit integer.
    case int64(Int64)
    /// An exact decimal128 number.
    case decimal128(Decimal128)
    /// A replication timestamp.
    case timestamp(BSONTimestamp)
    /// A regular expression with its option letters (libbson stores the options sorted).
    case regex(pattern: String, options: String)
    /// The value that sorts before every other.
    case minKey
    /// The value that sorts after every other.
    case maxKey
    /// The deprecated undefined value.
    case undefined

    /// The BSON type's name: "double", "string", "document", "array", "binary", "objectId", "bool", "datetime",
    /// "null", "int32", "int64", "decimal128", "timestamp", "regex", "minKey", "maxKey" or "undefined".
    public var typeName: String {
        switch self {
        case .double: "double"
        case .string: "string"
        case .document: "document"
        case .array: "array"
        case .binary: "binary"
        case .objectId: "objectId"
        case .bool: "bool"
        case .datetime: "datetime"
        case .null: "null"
        case .int32: "int32"
        case .int64: "int64"
        case .decimal128: "decimal128"
        case .timestamp: "timestamp"
        case .regex: "regex"
        case .minKey: "minKey"
        case .maxKey: "maxKey"
        case .undefined: "undefined"
        }
    }
}

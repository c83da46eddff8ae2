/// Literal syntax for building BSON values: `"text"`, `42` (int64), `1.5` (double), `true`, `nil` (null),
/// `[1, "two"]` (array) and `["key": value]` (an ordered document).
extension BSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    /// A `string`.
    public init(stringLiteral value: String) {
        self = .string(value)
    }

    /// An `int64`.
    public init(integerLiteral value: Int64) {
        self = .int64(value)
    }

    /// A `double`.
    public init(floatLiteral value: Double) {
        self = .double(value)
    }

    /// A `bool`.
    public init(booleanLiteral value: Bool) {
        self = .bool(value)
    }

    /// An `array`.
    public init(arrayLiteral elements: BSONValue...) {
        self = .array(elements)
    }

    /// A `document` with the pairs in the order written.
    public init(dictionaryLiteral elements: (String, BSONValue)...) {
        self = .document(Document(elements))
    }

    /// `null`.
    public init(nilLiteral: ()) {
        self = .null
    }
}

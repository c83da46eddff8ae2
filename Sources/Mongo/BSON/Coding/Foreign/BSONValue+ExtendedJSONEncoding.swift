import Foundation

/// Writing a `BSONValue` to a coder other than `BSONEncoder`, in the shape of relaxed Extended JSON v2.
extension BSONValue {
    /// Encodes this value as relaxed Extended JSON through `encoder`'s containers.
    func encodeExtendedJSON(to encoder: any Encoder) throws {
        switch self {
        case .double(let value) where value.isFinite:
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .double(let value):
            let text = value.isNaN ? "NaN" : value > 0 ? "Infinity" : "-Infinity"
            try Self.encodeWrapper(to: encoder, "$numberDouble", text)
        case .string(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .document(let document):
            try document.encode(to: encoder)
        case .array(let elements):
            var container = encoder.unkeyedContainer()
            for element in elements {
                try container.encode(element)
            }
        case .binary(let binary):
            let fields: KeyValuePairs = [
                "base64": binary.data.base64EncodedString(), "subType": binary.subtype.description,
            ]
            try Self.encodeWrapper(to: encoder, "$binary", fields)
        case .objectId(let id):
            try Self.encodeWrapper(to: encoder, "$oid", id.hex)
        case .bool(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .datetime(let date):
            try Self.encodeDate(date, to: encoder)
        case .null:
            var container = encoder.singleValueContainer()
            try container.encodeNil()
        case .int32(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .int64(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .decimal128(let value):
            try Self.encodeWrapper(to: encoder, "$numberDecimal", value.description)
        case .timestamp(let value):
            var outer = encoder.container(keyedBy: BSONCodingKey.self)
            var inner = outer.nestedContainer(
                keyedBy: BSONCodingKey.self, forKey: BSONCodingKey(stringValue: "$timestamp"))
            try inner.encode(value.timestamp, forKey: BSONCodingKey(stringValue: "t"))
            try inner.encode(value.increment, forKey: BSONCodingKey(stringValue: "i"))
        case .regex(let pattern, let options):
            try Self.encodeWrapper(to: encoder, "$regularExpression", ["pattern": pattern, "options": options])
        case .minKey:
            try Self.encodeWrapper(to: encoder, "$minKey", 1)
        case .maxKey:
            try Self.encodeWrapper(to: encoder, "$maxKey", 1)
        case .undefined:
            try Self.encodeWrapper(to: encoder, "$undefined", true)
        }
    }

    /// Encodes `{wrapper: value}`.
    private static func encodeWrapper(to encoder: any Encoder, _ wrapper: String, _ value: some Encodable) throws {
        var container = encoder.container(keyedBy: BSONCodingKey.self)
        try container.encode(value, forKey: BSONCodingKey(stringValue: wrapper))
    }

    /// Encodes `{wrapper: {key: string, ...}}` with the keys in the order given.
    private static func encodeWrapper(
        to encoder: any Encoder, _ wrapper: String, _ fields: KeyValuePairs<String, String>
    ) throws {
        var outer = encoder.container(keyedBy: BSONCodingKey.self)
        var inner = outer.nestedContainer(keyedBy: BSONCodingKey.self, forKey: BSONCodingKey(stringValue: wrapper))
        for (key, value) in fields {
            try inner.encode(value, forKey: BSONCodingKey(stringValue: key))
        }
    }

    /// Relaxed form: an ISO-8601 string with milliseconds for years 1970 through 9999, else canonical
    /// `{"$date": {"$numberLong": "..."}}`.
    private static func encodeDate(_ date: Date, to encoder: any Encoder) throws {
        let milliseconds = date.bsonMilliseconds ?? 0
        guard (0...253_402_300_799_999).contains(milliseconds) else {
            try encodeWrapper(to: encoder, "$date", ["$numberLong": String(milliseconds)])
            return
        }
        try encodeWrapper(to: encoder, "$date", iso8601(milliseconds: milliseconds))
    }

    /// `yyyy-MM-ddTHH:mm:ss.SSSZ` for non-negative milliseconds since the epoch (civil-from-days conversion).
    static func iso8601(milliseconds: Int64) -> String {
        let (days, millisecondOfDay) = milliseconds.quotientAndRemainder(dividingBy: 86_400_000)
        let shifted = days + 719_468
        let era = shifted / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func padded(_ value: Int64, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        let hour = millisecondOfDay / 3_600_000
        let minute = millisecondOfDay / 60_000 % 60
        let second = millisecondOfDay / 1000 % 60
        let millisecond = millisecondOfDay % 1000
        return "\(padded(year, 4))-\(padded(month, 2))-\(padded(day, 2))T\(padded(hour, 2)):\(padded(minute, 2)):"
            + "\(padded(second, 2)).\(padded(millisecond, 3))Z"
    }
}

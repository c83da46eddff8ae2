import Foundation

/// Typed views of a `BSONValue`; each is `nil` when the value has another type.
extension BSONValue {
    /// The string of a `string`.
    public var stringValue: String? {
        if case .string(let value) = self { value } else { nil }
    }

    /// The integer of an `int32` or `int64`.
    public var int64Value: Int64? {
        switch self {
        case .int64(let value): value
        case .int32(let value): Int64(value)
        default: nil
        }
    }

    /// The integer of an `int32`.
    public var int32Value: Int32? {
        if case .int32(let value) = self { value } else { nil }
    }

    /// The number of a `double`.
    public var doubleValue: Double? {
        if case .double(let value) = self { value } else { nil }
    }

    /// The document of a `document`.
    public var documentValue: Document? {
        if case .document(let value) = self { value } else { nil }
    }

    /// The elements of an `array`.
    public var arrayValue: [BSONValue]? {
        if case .array(let value) = self { value } else { nil }
    }

    /// The boolean of a `bool`.
    public var boolValue: Bool? {
        if case .bool(let value) = self { value } else { nil }
    }

    /// The date of a `datetime`.
    public var dateValue: Date? {
        if case .datetime(let value) = self { value } else { nil }
    }

    /// The number of a `decimal128`.
    public var decimal128Value: Decimal128? {
        if case .decimal128(let value) = self { value } else { nil }
    }

    /// The id of an `objectId`.
    public var objectIdValue: ObjectId? {
        if case .objectId(let value) = self { value } else { nil }
    }

    /// The data of a `binary`.
    public var binaryValue: BSONBinary? {
        if case .binary(let value) = self { value } else { nil }
    }

    /// The timestamp of a `timestamp`.
    public var timestampValue: BSONTimestamp? {
        if case .timestamp(let value) = self { value } else { nil }
    }

    /// Whether this is `null`.
    public var isNull: Bool {
        if case .null = self { true } else { false }
    }
}

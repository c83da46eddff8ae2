import CMongoc

/// Reading Swift scalars from an element, with the type rules of `BSONDecoder`.
extension BSONElement {
    /// A `Bool` from a BSON bool only.
    func decodeBool(at codingPath: @autoclosure () -> [any CodingKey]) throws -> Bool {
        guard type == BSON_TYPE_BOOL else { throw mismatch(expected: "Bool", at: codingPath()) }
        return withIterator { bson_iter_bool($0) }
    }

    /// A `String` from a BSON string only (not a symbol).
    func decodeString(at codingPath: @autoclosure () -> [any CodingKey]) throws -> String {
        guard type == BSON_TYPE_UTF8 else { throw mismatch(expected: "String", at: codingPath()) }
        return withIterator { iterator in
            var length: UInt32 = 0
            let text = bson_iter_utf8(iterator, &length)!
            return LibBSON.string(text, length: Int(length))
        }
    }

    /// A `Double` from a double, int32 or int64 (an int64 beyond 2^53 rounds to the nearest double).
    func decodeDouble(at codingPath: @autoclosure () -> [any CodingKey]) throws -> Double {
        switch type {
        case BSON_TYPE_DOUBLE: withIterator { bson_iter_double($0) }
        case BSON_TYPE_INT32: Double(withIterator { bson_iter_int32($0) })
        case BSON_TYPE_INT64: Double(withIterator { bson_iter_int64($0) })
        default: throw mismatch(expected: "Double", at: codingPath())
        }
    }

    /// A `Float` from a double, int32 or int64; a finite double too large for `Float` is an error.
    func decodeFloat(at codingPath: @autoclosure () -> [any CodingKey]) throws -> Float {
        let double: Double
        do {
            double = try decodeDouble(at: codingPath())
        } catch BSONError.typeMismatch(let path, _, let found) {
            throw BSONError.typeMismatch(path: path, expected: "Float", found: found)
        } catch BSONError.valueNotFound(let path, _) {
            throw BSONError.valueNotFound(path: path, expected: "Float")
        }
        let float = Float(double)
        guard float.isFinite || !double.isFinite else {
            throw BSONError.dataCorrupted(
                path: BSONError.dottedPath(codingPath()), reason: "\(double) does not fit in Float")
        }
        return float
    }

    /// An integer from an int32 or int64 that fits `I`; 64-bit integer types (`Int`, `Int64`, `UInt`, `UInt64`)
    /// also take a double that is exactly an integer in range.
    func decodeInteger<I: FixedWidthInteger>(
        _: I.Type, at codingPath: @autoclosure () -> [any CodingKey]
    ) throws -> I {
        let converted: I?
        let found: String
        switch type {
        case BSON_TYPE_INT32:
            let value = withIterator { bson_iter_int32($0) }
            (converted, found) = (I(exactly: value), "\(value)")
        case BSON_TYPE_INT64:
            let value = withIterator { bson_iter_int64($0) }
            (converted, found) = (I(exactly: value), "\(value)")
        case BSON_TYPE_DOUBLE where I.bitWidth == 64:
            let value = withIterator { bson_iter_double($0) }
            (converted, found) = (I(exactly: value), "\(value)")
        default:
            throw mismatch(expected: "\(I.self)", at: codingPath())
        }
        guard let converted else {
            throw BSONError.dataCorrupted(
                path: BSONError.dottedPath(codingPath()),
                reason: "\(typeName) \(found) is not exactly representable as \(I.self)")
        }
        return converted
    }
}

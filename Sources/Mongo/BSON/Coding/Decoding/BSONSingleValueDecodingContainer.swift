/// Reads the decoder's own value.
struct BSONSingleValueDecodingContainer: SingleValueDecodingContainer {
    let decoder: BSONElementDecoder

    var codingPath: [any CodingKey] {
        decoder.codingPath
    }

    private var element: BSONElement {
        decoder.element
    }

    func decodeNil() -> Bool {
        element.isNull
    }

    func decode(_ type: Bool.Type) throws -> Bool {
        try element.decodeBool(at: codingPath)
    }

    func decode(_ type: String.Type) throws -> String {
        try element.decodeString(at: codingPath)
    }

    func decode(_ type: Double.Type) throws -> Double {
        try element.decodeDouble(at: codingPath)
    }

    func decode(_ type: Float.Type) throws -> Float {
        try element.decodeFloat(at: codingPath)
    }

    func decode(_ type: Int.Type) throws -> Int {
        try element.decodeInteger(type, at: codingPath)
    }

    func decode(_ type: Int8.Type) throws -> Int8 {
        try element.decodeInteger(type, at: codingPath)
    }

    func decode(_ type: Int16.Type) throws -> Int16 {
        try element.decodeInteger(type, at: codingPath)
    }

    func decode(_ type: Int32.Type) throws -> Int32 {
        try element.decodeInteger(type, at: codingPath)
    }

    func decode(_ type: Int64.Type) throws -> Int64 {
        try element.decodeInteger(type, at: codingPath)
    }

    func decode(_ type: UInt.Type) throws -> UInt {
        try element.decodeInteger(type, at: codingPath)
    }

    func decode(_ type: UInt8.Type) throws -> UInt8 {
        try element.decodeInteger(type, at: codingPath)
    }

    func decode(_ type: UInt16.Type) throws -> UInt16 {
        try element.decodeInteger(type, at: codingPath)
    }

    func decode(_ type: UInt32.Type) throws -> UInt32 {
        try element.decodeInteger(type, at: codingPath)
    }

    func decode(_ type: UInt64.Type) throws -> UInt64 {
        try element.decodeInteger(type, at: codingPath)
    }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try decoder.decodeOwnValue(type)
    }
}

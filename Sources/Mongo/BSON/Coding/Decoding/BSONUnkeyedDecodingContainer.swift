/// Reads the elements of an array in order.
struct BSONUnkeyedDecodingContainer: UnkeyedDecodingContainer {
    let decoder: BSONElementDecoder
    let elements: [BSONElement]
    let codingPath: [any CodingKey]
    private(set) var currentIndex = 0

    init(decoder: BSONElementDecoder, array: UnsafeRawBufferPointer, codingPath: [any CodingKey]) {
        var elements: [BSONElement] = []
        BSONElement.forEach(in: array) { element, _ in elements.append(element) }
        self.decoder = decoder
        self.elements = elements
        self.codingPath = codingPath
    }

    var count: Int? {
        elements.count
    }

    var isAtEnd: Bool {
        currentIndex >= elements.count
    }

    private var currentPath: [any CodingKey] {
        codingPath + [BSONCodingKey(index: currentIndex)]
    }

    /// The current element, or `valueNotFound` past the end.
    private func current(expecting expected: @autoclosure () -> String) throws -> BSONElement {
        guard !isAtEnd else {
            throw BSONError.valueNotFound(path: BSONError.dottedPath(currentPath), expected: expected())
        }
        return elements[currentIndex]
    }

    /// Reads the current element with `read` and moves past it only if that succeeded; `read` gets the element's
    /// coding path as a function, to build only when it needs it (an error, a nested container).
    private mutating func next<T>(_ read: (BSONElement, () -> [any CodingKey]) throws -> T) throws -> T {
        let (codingPath, index) = (codingPath, currentIndex)
        let value = try read(current(expecting: "\(T.self)"), { codingPath + [BSONCodingKey(index: index)] })
        currentIndex += 1
        return value
    }

    mutating func decodeNil() throws -> Bool {
        guard try current(expecting: "a value").isNull else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool {
        try next { try $0.decodeBool(at: $1()) }
    }

    mutating func decode(_ type: String.Type) throws -> String {
        try next { try $0.decodeString(at: $1()) }
    }

    mutating func decode(_ type: Double.Type) throws -> Double {
        try next { try $0.decodeDouble(at: $1()) }
    }

    mutating func decode(_ type: Float.Type) throws -> Float {
        try next { try $0.decodeFloat(at: $1()) }
    }

    mutating func decode(_ type: Int.Type) throws -> Int {
        try next { try $0.decodeInteger(type, at: $1()) }
    }

    mutating func decode(_ type: Int8.Type) throws -> Int8 {
        try next { try $0.decodeInteger(type, at: $1()) }
    }

    mutating func decode(_ type: Int16.Type) throws -> Int16 {
        try next { try $0.decodeInteger(type, at: $1()) }
    }

    mutating func decode(_ type: Int32.Type) throws -> Int32 {
        try next { try $0.decodeInteger(type, at: $1()) }
    }

    mutating func decode(_ type: Int64.Type) throws -> Int64 {
        try next { try $0.decodeInteger(type, at: $1()) }
    }

    mutating func decode(_ type: UInt.Type) throws -> UInt {
        try next { try $0.decodeInteger(type, at: $1()) }
    }

    mutating func decode(_ type: UInt8.Type) throws -> UInt8 {
        try next { try $0.decodeInteger(type, at: $1()) }
    }

    mutating func decode(_ type: UInt16.Type) throws -> UInt16 {
        try next { try $0.decodeInteger(type, at: $1()) }
    }

    mutating func decode(_ type: UInt32.Type) throws -> UInt32 {
        try next { try $0.decodeInteger(type, at: $1()) }
    }

    mutating func decode(_ type: UInt64.Type) throws -> UInt64 {
        try next { try $0.decodeInteger(type, at: $1()) }
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let decoder = self.decoder
        return try next { try decoder.decode(type, element: $0, codingPath: $1()) }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type
    ) throws -> KeyedDecodingContainer<NestedKey> {
        let decoder = self.decoder
        return try next { try Self.childDecoder(of: decoder, $0, $1()).container(keyedBy: type) }
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let decoder = self.decoder
        return try next { try Self.childDecoder(of: decoder, $0, $1()).unkeyedContainer() }
    }

    mutating func superDecoder() throws -> any Decoder {
        let decoder = self.decoder
        return try next { Self.childDecoder(of: decoder, $0, $1()) }
    }

    private static func childDecoder(
        of decoder: BSONElementDecoder, _ element: BSONElement, _ codingPath: [any CodingKey]
    ) -> BSONElementDecoder {
        BSONElementDecoder(buffer: decoder.buffer, element: element, codingPath: codingPath, userInfo: decoder.userInfo)
    }
}

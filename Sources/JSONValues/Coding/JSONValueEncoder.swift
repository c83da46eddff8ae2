import Foundation

/// Encodes a `Codable` value straight into a ``JSONValue``, without writing JSON text and parsing it back.
///
/// Gives the same values as a `JSONEncoder` round trip did: dates as ISO-8601 text (``JSONDate/format(_:)``), data
/// as base64, whole finite numbers as `.int`, and absent optionals left out of objects.
struct JSONValueEncoder {
    func encode(_ value: some Encodable) throws -> JSONValue {
        let root = JSONValueEncoding.Node()
        try JSONValueEncoding(node: root, codingPath: []).encodeValue(value)
        return root.value
    }
}

/// The encoder of one value: containers fill its node, which becomes a ``JSONValue`` at the end.
struct JSONValueEncoding: Encoder {
    /// A value under construction; objects and arrays hold nodes so nested containers can fill them later.
    final class Node {
        enum Content {
            case empty
            case leaf(JSONValue)
            case object([(String, Node)])
            case array([Node])
        }

        var content = Content.empty

        var value: JSONValue {
            switch content {
            case .empty: .object([:])
            case .leaf(let value): value
            case .object(let members):
                .object(Dictionary(members.map { ($0.0, $0.1.value) }, uniquingKeysWith: { _, last in last }))
            case .array(let elements): .array(elements.map(\.value))
            }
        }

        /// A child node at `key` of this object (made an object if it is not one).
        func child(_ key: String) -> Node {
            let node = Node()
            if case .object(var members) = content {
                members.append((key, node))
                content = .object(members)
            } else {
                content = .object([(key, node)])
            }
            return node
        }

        /// A new last element of this array (made an array if it is not one).
        func appended() -> Node {
            let node = Node()
            if case .array(var elements) = content {
                elements.append(node)
                content = .array(elements)
            } else {
                content = .array([node])
            }
            return node
        }

        var count: Int {
            if case .array(let elements) = content { return elements.count }
            return 0
        }
    }

    let node: Node
    var codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .object = node.content {} else { node.content = .object([]) }
        return KeyedEncodingContainer(Keyed<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .array = node.content {} else { node.content = .array([]) }
        return Unkeyed(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { Single(node: node, codingPath: codingPath) }

    /// Encodes `value` into this node, special kinds first.
    func encodeValue(_ value: some Encodable) throws {
        if let special = try Self.special(value, at: codingPath) {
            node.content = .leaf(special)
        } else {
            try value.encode(to: self)
        }
    }

    static func special(_ value: any Encodable, at path: [any CodingKey]) throws -> JSONValue? {
        switch value {
        case let json as JSONValue: json
        case let date as Date: .string(JSONDate.format(date))
        case let data as Data: .string(data.base64EncodedString())
        case let url as URL: .string(url.absoluteString)
        case let decimal as Decimal: try number(NSDecimalNumber(decimal: decimal).doubleValue, at: path)
        default: nil
        }
    }

    static func number(_ double: Double, at path: [any CodingKey]) throws -> JSONValue {
        guard double.isFinite else {
            throw EncodingError.invalidValue(
                double, .init(codingPath: path, debugDescription: "\(double) is not a JSON number"))
        }
        if double == double.rounded(), abs(double) < 9.2e18 { return .int(Int64(double)) }
        return .double(double)
    }

    static func integer<T: BinaryInteger>(_ value: T) -> JSONValue {
        if let exact = Int64(exactly: value) { return .int(exact) }
        return .double(Double(value))
    }

    /// A primitive as a JSON value, or nil for any other type.
    static func primitive(_ value: any Encodable, at path: [any CodingKey]) throws -> JSONValue? {
        switch value {
        case let value as Bool: .bool(value)
        case let value as String: .string(value)
        case let value as Double: try number(value, at: path)
        case let value as Float: try number(Double("\(value)") ?? Double(value), at: path)
        case let value as Int: integer(value)
        case let value as Int64: integer(value)
        case let value as Int32: integer(value)
        case let value as Int16: integer(value)
        case let value as Int8: integer(value)
        case let value as UInt: integer(value)
        case let value as UInt64: integer(value)
        case let value as UInt32: integer(value)
        case let value as UInt16: integer(value)
        case let value as UInt8: integer(value)
        default: nil
        }
    }

    struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let node: Node
        var codingPath: [any CodingKey]

        mutating func encodeNil(forKey key: Key) throws { node.child(key.stringValue).content = .leaf(.null) }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            let path = codingPath + [key]
            let child = node.child(key.stringValue)
            if let primitive = try primitive(value, at: path) {
                child.content = .leaf(primitive)
            } else {
                try JSONValueEncoding(node: child, codingPath: path).encodeValue(value)
            }
        }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
            -> KeyedEncodingContainer<NestedKey>
        {
            JSONValueEncoding(node: node.child(key.stringValue), codingPath: codingPath + [key])
                .container(keyedBy: keyType)
        }
        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            JSONValueEncoding(node: node.child(key.stringValue), codingPath: codingPath + [key]).unkeyedContainer()
        }
        mutating func superEncoder() -> any Encoder {
            JSONValueEncoding(node: node.child("super"), codingPath: codingPath)
        }
        mutating func superEncoder(forKey key: Key) -> any Encoder {
            JSONValueEncoding(node: node.child(key.stringValue), codingPath: codingPath + [key])
        }
    }

    struct Unkeyed: UnkeyedEncodingContainer {
        let node: Node
        var codingPath: [any CodingKey]
        var count: Int { node.count }

        mutating func encodeNil() throws { node.appended().content = .leaf(.null) }
        mutating func encode<T: Encodable>(_ value: T) throws {
            let element = node.appended()
            if let primitive = try primitive(value, at: codingPath) {
                element.content = .leaf(primitive)
            } else {
                try JSONValueEncoding(node: element, codingPath: codingPath).encodeValue(value)
            }
        }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
            -> KeyedEncodingContainer<NestedKey>
        {
            JSONValueEncoding(node: node.appended(), codingPath: codingPath).container(keyedBy: keyType)
        }
        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            JSONValueEncoding(node: node.appended(), codingPath: codingPath).unkeyedContainer()
        }
        mutating func superEncoder() -> any Encoder { JSONValueEncoding(node: node.appended(), codingPath: codingPath) }
    }

    struct Single: SingleValueEncodingContainer {
        let node: Node
        var codingPath: [any CodingKey]

        mutating func encodeNil() throws { node.content = .leaf(.null) }
        mutating func encode<T: Encodable>(_ value: T) throws {
            if let primitive = try primitive(value, at: codingPath) {
                node.content = .leaf(primitive)
            } else {
                try JSONValueEncoding(node: node, codingPath: codingPath).encodeValue(value)
            }
        }
    }
}

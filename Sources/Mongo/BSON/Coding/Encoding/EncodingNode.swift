/// A value being encoded: finished, or a container that may still be filled through a reference.
enum EncodedChild {
    /// A finished value.
    case value(BSONValue)
    /// A container (or a value not yet written) that encoders and containers share.
    case node(EncodingNode)
}

/// The shared, mutable slot an `Encoder` writes its value into.
final class EncodingNode {
    /// What has been encoded so far.
    enum Content {
        /// Nothing yet (written as an empty document if it stays so).
        case empty
        /// One value.
        case value(BSONValue)
        /// A document's fields.
        case keyed(KeyedEncodingStorage)
        /// An array's elements.
        case unkeyed(UnkeyedEncodingStorage)
    }

    var content: Content = .empty

    /// This node as a child: a finished value is stored as the value itself.
    var asChild: EncodedChild {
        if case .value(let value) = content { .value(value) } else { .node(self) }
    }

    /// The keyed storage, installing an empty one unless there is already one.
    var keyedStorage: KeyedEncodingStorage {
        if case .keyed(let storage) = content { return storage }
        let storage = KeyedEncodingStorage()
        content = .keyed(storage)
        return storage
    }

    /// The unkeyed storage, installing an empty one unless there is already one.
    var unkeyedStorage: UnkeyedEncodingStorage {
        if case .unkeyed(let storage) = content { return storage }
        let storage = UnkeyedEncodingStorage()
        content = .unkeyed(storage)
        return storage
    }
}

/// A document's fields in the order first encoded; encoding a key again replaces its value in place.
final class KeyedEncodingStorage {
    private(set) var entries: [(key: String, child: EncodedChild)] = []
    private var positions: [String: Int] = [:]

    func set(_ child: EncodedChild, forKey key: String) {
        if let position = positions[key] {
            entries[position].child = child
        } else {
            positions[key] = entries.count
            entries.append((key, child))
        }
    }
}

/// An array's elements in order.
final class UnkeyedEncodingStorage {
    private(set) var elements: [EncodedChild] = []

    var count: Int {
        elements.count
    }

    func append(_ child: EncodedChild) {
        elements.append(child)
    }
}

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
///
/// A small document finds a key by comparing keys in turn; one with more than `indexedAbove` fields keeps an index
/// by key, so building it stays linear in its size.
final class KeyedEncodingStorage {
    private(set) var entries: [(key: String, child: EncodedChild)] = []
    private var positions: [String: Int] = [:]

    /// The field count above which keys are indexed.
    static let indexedAbove = 16

    func set(_ child: EncodedChild, forKey key: String) {
        if let position = position(of: key) {
            entries[position].child = child
            return
        }
        entries.append((key, child))
        if entries.count > Self.indexedAbove {
            if positions.isEmpty {
                for (position, entry) in entries.enumerated() { positions[entry.key] = position }
            } else {
                positions[key] = entries.count - 1
            }
        }
    }

    private func position(of key: String) -> Int? {
        if entries.count > Self.indexedAbove { return positions[key] }
        return entries.firstIndex { $0.key == key }
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

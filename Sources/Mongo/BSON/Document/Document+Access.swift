import CMongoc

/// Reading and changing a document's elements.
extension Document {
    /// The value of the first element named `key`; setting replaces it in place (keeping its position), appends
    /// it when absent, and `nil` removes it.
    public subscript(key: String) -> BSONValue? {
        get {
            withIterator(findingKey: key) { BSONValue(iterator: $0) }
        }
        set {
            if let newValue {
                updateValue(newValue, forKey: key)
            } else {
                removeValue(forKey: key)
            }
        }
    }

    /// The value at a dotted path through embedded documents and arrays, such as `"a.b.0.c"`
    /// (`bson_iter_find_descendant`); `nil` when any step is missing. Keys containing "." cannot be reached.
    public subscript(path dottedPath: String) -> BSONValue? {
        withIterator { iterator -> BSONValue? in
            LibBSON.withScratchIterator { descendant -> BSONValue? in
                guard bson_iter_find_descendant(iterator, dottedPath, descendant) else { return nil }
                return BSONValue(iterator: descendant)
            }
        }
    }

    /// Whether an element named `key` exists.
    public func contains(key: String) -> Bool {
        withIterator(findingKey: key) { _ in true } ?? false
    }

    /// The keys in order (a repeated key appears each time).
    public var keys: [String] {
        var keys: [String] = []
        forEachElement { keys.append(LibBSON.key($0)) }
        return keys
    }

    /// The values in order.
    public var values: [BSONValue] {
        var values: [BSONValue] = []
        forEachElement { values.append(BSONValue(iterator: $0)) }
        return values
    }

    /// The number of elements.
    public var count: Int {
        var count = 0
        forEachElement { _ in count += 1 }
        return count
    }

    /// Whether the document has no elements.
    public var isEmpty: Bool {
        storage.count == 5
    }
}

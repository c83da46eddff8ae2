/// The elements of one document by key, built in a single pass over its bytes when a keyed container opens.
struct BSONKeyedIndex {
    /// The keys in document order (the first occurrence of a repeated key only).
    let keys: [String]
    /// The first element with each key.
    let elements: [String: BSONElement]

    init(document: UnsafeRawBufferPointer) {
        var keys: [String] = []
        var elements: [String: BSONElement] = [:]
        BSONElement.forEach(in: document) { element, iterator in
            let key = LibBSON.key(iterator)
            if elements[key] == nil {
                elements[key] = element
                keys.append(key)
            }
        }
        self.keys = keys
        self.elements = elements
    }
}

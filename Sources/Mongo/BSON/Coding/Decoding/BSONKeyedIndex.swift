/// The elements of one document by key, built in a single pass over its bytes when a keyed container opens.
///
/// A small document finds a key by comparing keys in turn; one with more than `indexedAbove` elements is indexed by
/// key, so a lookup does not grow with its size.
struct BSONKeyedIndex {
    /// The keys in document order (the first occurrence of a repeated key only).
    let keys: [String]
    /// The first element with each key, in the order of `keys`.
    private let ordered: [BSONElement]
    /// The position in `keys` of each key, for a document of more than `indexedAbove` elements.
    private let positions: [String: Int]

    /// The element count above which keys are indexed.
    static let indexedAbove = 16

    init(document: UnsafeRawBufferPointer) {
        var keys: [String] = []
        var ordered: [BSONElement] = []
        var positions: [String: Int] = [:]
        BSONElement.forEach(in: document) { element, iterator in
            let key = LibBSON.key(iterator)
            if keys.count >= Self.indexedAbove {
                if positions.isEmpty {
                    for (position, known) in keys.enumerated() { positions[known] = position }
                }
                guard positions[key] == nil else { return }
                positions[key] = keys.count
            } else if keys.contains(key) {
                return
            }
            keys.append(key)
            ordered.append(element)
        }
        self.keys = keys
        self.ordered = ordered
        self.positions = positions
    }

    /// The first element named `key`, if any.
    subscript(key: String) -> BSONElement? {
        if keys.count > Self.indexedAbove {
            return positions[key].map { ordered[$0] }
        }
        return keys.firstIndex(of: key).map { ordered[$0] }
    }
}

import CMongoc

/// Iterating a document yields its elements in order.
extension Document: Sequence {
    /// One element: its key and value.
    public typealias Element = (key: String, value: BSONValue)

    /// Walks a document's bytes one element at a time with libbson's iterator.
    public struct Iterator: IteratorProtocol {
        private let storage: [UInt8]
        /// Where the previous element starts, and its key length; `nil` before the first.
        private var previous: (offset: UInt32, keyLength: UInt32)?
        private var finished = false

        init(storage: [UInt8]) {
            self.storage = storage
        }

        /// The next element, or `nil` after the last.
        public mutating func next() -> Element? {
            guard !finished else { return nil }
            let previous = self.previous
            let step: (offset: UInt32, keyLength: UInt32, element: Element)? = storage.withUnsafeBufferPointer {
                bytes in
                LibBSON.withScratchIterator { iterator in
                    if let previous {
                        guard
                            bson_iter_init_from_data_at_offset(
                                iterator, bytes.baseAddress, bytes.count, previous.offset, previous.keyLength)
                        else { return nil }
                    } else {
                        guard bson_iter_init_from_data(iterator, bytes.baseAddress, bytes.count) else { return nil }
                    }
                    guard bson_iter_next(iterator) else { return nil }
                    return (
                        bson_iter_offset(iterator), bson_iter_key_len(iterator),
                        (LibBSON.key(iterator), BSONValue(iterator: iterator))
                    )
                }
            }
            guard let step else {
                finished = true
                return nil
            }
            self.previous = (step.offset, step.keyLength)
            return step.element
        }
    }

    /// An iterator over the elements in order.
    public func makeIterator() -> Iterator {
        Iterator(storage: storage)
    }
}

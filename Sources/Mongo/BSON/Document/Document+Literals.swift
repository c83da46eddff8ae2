/// `["a": 1, "b": ["c": "x"]]` builds a document with the keys in the order written.
extension Document: ExpressibleByDictionaryLiteral {
    /// A document with the pairs in the order written.
    public init(dictionaryLiteral elements: (String, BSONValue)...) {
        self.init(elements)
    }
}

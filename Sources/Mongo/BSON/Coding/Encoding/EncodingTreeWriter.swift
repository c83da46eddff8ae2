import CMongoc

/// Writes a finished encoding tree with libbson's `bson_append_*`, nesting through
/// `bson_append_document_begin`/`_end` so each byte is written once.
enum EncodingTreeWriter {
    /// The document of a keyed container.
    static func document(from storage: KeyedEncodingStorage, path: [String]) throws -> Document {
        try LibBSON.withNewDocument { document in
            try writeFields(storage, into: document, path: path)
            return Document(copyingValidBytes: LibBSON.bytes(of: document))
        }
    }

    /// The BSON value of a child.
    static func value(of child: EncodedChild, path: [String]) throws -> BSONValue {
        let node: EncodingNode
        switch child {
        case .value(let value): return value
        case .node(let child): node = child
        }
        switch node.content {
        case .empty:
            return .document(Document())
        case .value(let value):
            return value
        case .keyed(let storage):
            return .document(try document(from: storage, path: path))
        case .unkeyed(let storage):
            return .array(
                try storage.elements.enumerated().map { index, element in
                    try value(of: element, path: path + [String(index)])
                })
        }
    }

    private static func writeFields(
        _ storage: KeyedEncodingStorage, into document: OpaquePointer, path: [String]
    ) throws {
        for (key, child) in storage.entries {
            guard !key.utf8.contains(0) else {
                throw BSONError.invalidKey(BSONError.dottedPath(path, key))
            }
            try key.withCString { cKey in
                try write(child, into: document, key: cKey, keyLength: Int32(key.utf8.count), path: path, name: key)
            }
        }
    }

    private static func writeElements(
        _ storage: UnkeyedEncodingStorage, into document: OpaquePointer, path: [String]
    ) throws {
        for (index, child) in storage.elements.enumerated() {
            try LibBSON.withIndexKey(index) { cKey, keyLength in
                try write(child, into: document, key: cKey, keyLength: keyLength, path: path, name: String(index))
            }
        }
    }

    private static func write(
        _ child: EncodedChild, into document: OpaquePointer, key: UnsafePointer<CChar>,
        keyLength: Int32, path: [String], name: String
    ) throws {
        let content: EncodingNode.Content
        switch child {
        case .value(let value): content = .value(value)
        case .node(let node): content = node.content
        }
        switch content {
        case .value(let value):
            do {
                try value.append(to: document, key: key, keyLength: keyLength)
            } catch let failure as BSONWriteFailure {
                throw BSONError.encodingFailed(path: BSONError.dottedPath(path, name), reason: failure.reason)
            }
        case .empty:
            try writeNested(
                into: document, key: key, keyLength: keyLength, array: false, path: path, name: name
            ) { _ in }
        case .keyed(let storage):
            try writeNested(into: document, key: key, keyLength: keyLength, array: false, path: path, name: name) {
                try writeFields(storage, into: $0, path: path + [name])
            }
        case .unkeyed(let storage):
            try writeNested(into: document, key: key, keyLength: keyLength, array: true, path: path, name: name) {
                try writeElements(storage, into: $0, path: path + [name])
            }
        }
    }

    private static func writeNested(
        into document: OpaquePointer, key: UnsafePointer<CChar>, keyLength: Int32, array: Bool,
        path: [String], name: String, _ fill: (OpaquePointer) throws -> Void
    ) throws {
        let written = try LibBSON.withScratchDocument { child in
            let begun =
                array
                ? bson_append_array_begin(document, key, keyLength, child)
                : bson_append_document_begin(document, key, keyLength, child)
            guard begun else { return false }
            try fill(child)
            return array ? bson_append_array_end(document, child) : bson_append_document_end(document, child)
        }
        guard written else {
            throw BSONError.encodingFailed(
                path: BSONError.dottedPath(path, name), reason: "the document would exceed the BSON size limit")
        }
    }
}

extension BSONError {
    /// `path` and `name` joined by dots.
    static func dottedPath(_ path: [String], _ name: String) -> String {
        path.isEmpty ? name : path.joined(separator: ".") + "." + name
    }
}

import Foundation

/// Encodes `Encodable` values as BSON documents and values, writing bytes with libbson's `bson_append_*`.
///
/// ```swift
/// struct Item: Codable { var sku: String; var quantity: Int }
/// struct Order: Codable { var _id: ObjectId; var items: [Item]; var total: Decimal; var paidAt: Date? }
///
/// let document = try BSONEncoder().encode(order)                  // {"_id": ObjectId, "items": [...], ...}
/// let update: Document = ["$set": try BSONEncoder().encodeValue(changes)]
/// ```
///
/// How Swift types are written:
///
/// | Swift type | BSON |
/// | --- | --- |
/// | `String`, `Bool` | string, bool |
/// | `Int`, `Int64` | int64 |
/// | `Int32`, `Int8`, `Int16`, `UInt8`, `UInt16` | int32 |
/// | `UInt32` | int32 when the value fits, else int64 |
/// | `UInt`, `UInt64` | int64, or `BSONError.encodingFailed` above `Int64.max` |
/// | `Double`, `Float` | double |
/// | `Decimal` | decimal128, exactly (`encodingFailed` for NaN or more than 34 significant digits) |
/// | `Decimal128`, `ObjectId`, `BSONBinary`, `BSONTimestamp` | decimal128, objectId, binary, timestamp |
/// | `Date` | datetime, rounded to the millisecond |
/// | `UUID` / `Data` | binary subtype 4 / binary subtype 0 |
/// | `Document`, `BSONValue` | themselves |
/// | arrays, `[String: T]`, structs, enums | arrays and documents (field order is the order encoded) |
/// | `Optional` | `encodeIfPresent` (what synthesized `Codable` uses) omits `nil`; `encodeNil` writes null |
///
/// Keys containing a NUL byte fail with `BSONError.invalidKey`.
public struct BSONEncoder: Sendable {
    /// Values handed to `encode(to:)` through `Encoder.userInfo`.
    public var userInfo: [CodingUserInfoKey: any Sendable]

    /// Creates an encoder.
    public init(userInfo: [CodingUserInfoKey: any Sendable] = [:]) {
        self.userInfo = userInfo
    }

    /// Encodes a value that encodes as a keyed container (a struct, a class, a `[String: T]`, a `Document`) as a
    /// document.
    ///
    /// - Throws: `BSONError.encodingFailed` with path `""` for any other top-level value, and the errors listed on
    ///   the type.
    public func encode(_ value: some Encodable) throws -> Document {
        let root = try encodeRoot(value)
        switch root {
        case .value(.document(let document)):
            return document
        case .node(let node):
            if case .keyed(let storage) = node.content {
                return try EncodingTreeWriter.document(from: storage, path: [])
            }
        case .value:
            break
        }
        let found = (try? EncodingTreeWriter.value(of: root, path: []).typeName) ?? "a non-document value"
        throw BSONError.encodingFailed(
            path: "", reason: "a top-level \(type(of: value)) must encode a keyed container (a document), not \(found)")
    }

    /// Encodes any value as a BSON value: a struct becomes a `document`, an array an `array`, an `Int` an `int64`,
    /// and so on (for example, to build a `$set` from a struct).
    public func encodeValue(_ value: some Encodable) throws -> BSONValue {
        let root = try encodeRoot(value)
        if case .node(let node) = root, case .empty = node.content {
            throw BSONError.encodingFailed(path: "", reason: "\(type(of: value)) did not encode any value")
        }
        return try EncodingTreeWriter.value(of: root, path: [])
    }

    private func encodeRoot<T: Encodable>(_ value: T) throws -> EncodedChild {
        let encoder = BSONTreeEncoder(node: EncodingNode(), codingPath: [], userInfo: userInfo)
        do {
            return try encoder.encodeChild(value, at: [])
        } catch let error as EncodingError {
            throw BSONError(error)
        }
    }
}

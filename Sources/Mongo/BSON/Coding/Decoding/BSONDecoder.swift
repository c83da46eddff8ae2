import Foundation

/// Decodes `Decodable` values from BSON documents and values, reading libbson's iterator directly.
///
/// ```swift
/// struct Item: Codable { var sku: String; var quantity: Int }
/// struct Order: Codable { var _id: ObjectId; var items: [Item]; var total: Decimal; var paidAt: Date? }
///
/// let order = try BSONDecoder().decode(Order.self, from: document)
/// ```
///
/// What each Swift type accepts:
///
/// | Swift type | BSON types accepted |
/// | --- | --- |
/// | `String` | string (not symbol) |
/// | `Bool` | bool |
/// | `Int`, `Int64`, `UInt`, `UInt64` | int32, int64, and a double that is exactly an integer in range |
/// | `Int32` and narrower integers | int32, int64, when the value fits |
/// | `Double`, `Float` | double, int32, int64 |
/// | `Decimal`, `Decimal128` | decimal128, int32, int64; never double (no money from binary floating point) |
/// | `Date` | datetime |
/// | `UUID` | binary subtype 4 of 16 bytes |
/// | `Data` | binary of any subtype |
/// | `ObjectId` | objectId |
/// | `Document`, `BSONValue`, `BSONBinary`, `BSONTimestamp` | document; anything; binary; timestamp |
/// | `Optional` | a missing key or `null` (or `undefined`) decode as `nil` |
///
/// Failures are `BSONError`s naming the dotted path of the field (`items.1.quantity`); `DecodingError`s thrown by
/// your own `init(from:)` are converted to `BSONError` too. Each container reads its bytes once: a keyed container
/// indexes its document's keys when it opens, an unkeyed one lists its elements.
public struct BSONDecoder: Sendable {
    /// Values handed to `init(from:)` through `Decoder.userInfo`.
    public var userInfo: [CodingUserInfoKey: any Sendable]

    /// Creates a decoder.
    public init(userInfo: [CodingUserInfoKey: any Sendable] = [:]) {
        self.userInfo = userInfo
    }

    /// Decodes a `T` from a document.
    public func decode<T: Decodable>(_ type: T.Type, from document: Document) throws -> T {
        try decode(type, in: BSONDecodingBuffer(wrapping: document))
    }

    /// Decodes a `T` from any BSON value (a document, an array, a scalar).
    public func decode<T: Decodable>(_ type: T.Type, fromValue value: BSONValue) throws -> T {
        let buffer = try LibBSON.withNewDocument { document in
            do {
                try value.append(to: document, key: "")
            } catch let failure as BSONWriteFailure {
                throw BSONError.dataCorrupted(path: "", reason: failure.reason)
            }
            return BSONDecodingBuffer(copying: LibBSON.bytes(of: document))
        }
        return try decode(type, in: buffer)
    }

    private func decode<T: Decodable>(_ type: T.Type, in buffer: BSONDecodingBuffer) throws -> T {
        let decoder = BSONElementDecoder(
            buffer: buffer, element: buffer.rootElement, codingPath: [], userInfo: userInfo)
        do {
            return try decoder.decodeOwnValue(type)
        } catch let error as DecodingError {
            throw BSONError(error)
        }
    }
}

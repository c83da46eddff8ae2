import Foundation

/// BSON binary data: bytes tagged with a subtype.
///
/// ```swift
/// let blob = BSONBinary(data: Data([1, 2, 3]))     // subtype 0, generic
/// let id = BSONBinary(uuid: UUID())                // subtype 4
/// id.uuid                                          // the UUID back
/// ```
public struct BSONBinary: Sendable, Hashable {
    /// The kind of binary data (BSON spec subtypes 0x00-0x09; 0x80-0xFF are user-defined).
    public struct Subtype: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
        /// The subtype byte.
        public var rawValue: UInt8

        /// Wraps a subtype byte.
        public init(rawValue: UInt8) { self.rawValue = rawValue }

        /// 0x00: generic bytes (what `Data` encodes to).
        public static let generic = Subtype(rawValue: 0x00)
        /// 0x01: a function.
        public static let function = Subtype(rawValue: 0x01)
        /// 0x02: the deprecated "old binary" layout (libbson reads and writes its inner length for you).
        public static let binaryOld = Subtype(rawValue: 0x02)
        /// 0x03: the deprecated, driver-specific UUID byte order.
        public static let uuidOld = Subtype(rawValue: 0x03)
        /// 0x04: an RFC 4122 UUID in network byte order (what `UUID` encodes to).
        public static let uuid = Subtype(rawValue: 0x04)
        /// 0x05: an MD5 digest.
        public static let md5 = Subtype(rawValue: 0x05)
        /// 0x06: client-side encrypted data.
        public static let encrypted = Subtype(rawValue: 0x06)
        /// 0x07: a compressed time-series column.
        public static let column = Subtype(rawValue: 0x07)
        /// 0x08: sensitive data that servers must not log.
        public static let sensitive = Subtype(rawValue: 0x08)
        /// 0x80: the first user-defined subtype.
        public static let userDefined = Subtype(rawValue: 0x80)

        /// The subtype as two hexadecimal digits, as Extended JSON writes it ("04").
        public var description: String {
            rawValue < 0x10 ? "0" + String(rawValue, radix: 16) : String(rawValue, radix: 16)
        }
    }

    /// The subtype.
    public var subtype: Subtype
    /// The payload.
    public var data: Data

    /// Creates binary data of the given subtype (generic by default).
    public init(subtype: Subtype = .generic, data: Data) {
        self.subtype = subtype
        self.data = data
    }

    /// Creates subtype-4 binary data holding the UUID's 16 bytes.
    public init(uuid: UUID) {
        self.init(subtype: .uuid, data: withUnsafeBytes(of: uuid.uuid) { Data($0) })
    }

    /// The UUID, when this is subtype 4 with exactly 16 bytes; otherwise `nil`.
    public var uuid: UUID? {
        guard subtype == .uuid, data.count == 16 else { return nil }
        return data.withUnsafeBytes { UUID(uuid: $0.loadUnaligned(as: uuid_t.self)) }
    }
}

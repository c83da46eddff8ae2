import CMongoc
import Foundation

/// A BSON ObjectId: 12 bytes made of a creation time in seconds, a per-process random value and a counter.
///
/// ```swift
/// let id = ObjectId()                              // a new, unique id
/// let same = ObjectId(id.hex)                      // parses "65f1c0ffee..." back
/// let created = id.timestamp                       // whole seconds
/// ```
///
/// Ids compare byte by byte, which orders them by creation second first. Encoded with `BSONEncoder` an id is a
/// BSON ObjectId; with any other encoder (such as `JSONEncoder`) it is its 24-character hex string.
public struct ObjectId: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Bytes 0-7, big-endian.
    private let leading: UInt64
    /// Bytes 8-11, big-endian.
    private let trailing: UInt32

    /// Generates a new id with libbson's process-wide, thread-safe context (`bson_oid_init`).
    public init() {
        var oid = bson_oid_t()
        bson_oid_init(&oid, nil)
        self.init(oid: oid)
    }

    /// Parses 24 hexadecimal digits (either case); `nil` for anything else.
    public init?(_ hex: String) {
        let utf8 = Array(hex.utf8)
        guard utf8.count == 24 else { return nil }
        let valid = utf8.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { bson_oid_is_valid($0.baseAddress, 24) }
        }
        guard valid else { return nil }
        var oid = bson_oid_t()
        hex.withCString { bson_oid_init_from_string(&oid, $0) }
        self.init(oid: oid)
    }

    /// Takes exactly 12 bytes; `nil` for any other count.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 12 else { return nil }
        var oid = bson_oid_t()
        withUnsafeMutableBytes(of: &oid.bytes) { $0.copyBytes(from: bytes) }
        self.init(oid: oid)
    }

    /// Wraps a libbson ObjectId.
    init(oid: bson_oid_t) {
        var leading: UInt64 = 0
        var trailing: UInt32 = 0
        withUnsafeBytes(of: oid.bytes) { raw in
            leading = UInt64(bigEndian: raw.loadUnaligned(as: UInt64.self))
            trailing = UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
        }
        self.leading = leading
        self.trailing = trailing
    }

    /// The libbson representation.
    var oid: bson_oid_t {
        var oid = bson_oid_t()
        withUnsafeMutableBytes(of: &oid.bytes) { raw in
            raw.storeBytes(of: leading.bigEndian, as: UInt64.self)
            raw.storeBytes(of: trailing.bigEndian, toByteOffset: 8, as: UInt32.self)
        }
        return oid
    }

    /// The 12 bytes, in order.
    public var bytes: [UInt8] {
        withUnsafeBytes(of: oid.bytes) { Array($0) }
    }

    /// The 24 lowercase hexadecimal digits.
    public var hex: String {
        var oid = self.oid
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 25) { buffer in
            bson_oid_to_string(&oid, buffer.baseAddress)
            return LibBSON.string(buffer.baseAddress!, length: 24)
        }
    }

    /// The creation time stored in the first four bytes (whole seconds).
    public var timestamp: Date {
        var oid = self.oid
        return Date(timeIntervalSince1970: TimeInterval(bson_oid_get_time_t(&oid)))
    }

    /// The hex string.
    public var description: String { hex }

    /// Orders ids by their bytes.
    public static func < (lhs: ObjectId, rhs: ObjectId) -> Bool {
        (lhs.leading, lhs.trailing) < (rhs.leading, rhs.trailing)
    }
}

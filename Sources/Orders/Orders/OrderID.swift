import Foundation

/// The identity of an order and of the saga that fulfils it: `ord_<26 chars>` and `saga_<the same 26 chars>`.
///
/// The 26 characters are a ULID in lowercase Crockford base32: 48 bits of milliseconds then 80 random
/// bits, so ids sort by creation time and never collide in practice.
public struct OrderID: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The order's id, such as `ord_01jd3k2x4q8m9v7t6r5p4n3b2a`.
    public let rawValue: String

    private static let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz".utf8)
    private static let prefix = "ord_"
    private static let sagaPrefix = "saga_"
    private static let suffixLength = 26

    /// A new id for an order placed now.
    public static func generate(now: Date = Date()) -> OrderID {
        let millis = UInt64(max(0, now.timeIntervalSince1970 * 1000))
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: millis >> (8 * (5 - index))) }
        for index in 6..<16 { bytes[index] = UInt8.random(in: 0...255) }
        return OrderID(unchecked: prefix + String(decoding: base32(bytes), as: UTF8.self))
    }

    /// 128 bits as 26 base32 characters (the first character carries two leading zero bits).
    private static func base32(_ bytes: [UInt8]) -> [UInt8] {
        (0..<suffixLength).map { character in
            var value = 0
            for offset in 0..<5 {
                let bit = character * 5 + offset - 2
                value <<= 1
                if bit >= 0 { value |= Int(bytes[bit / 8] >> (7 - UInt8(bit % 8))) & 1 }
            }
            return alphabet[value]
        }
    }

    private init(unchecked rawValue: String) { self.rawValue = rawValue }

    /// Parses an order id; nil unless it is `ord_` followed by 26 lowercase Crockford base32 characters.
    public init?(_ text: String) {
        guard text.hasPrefix(Self.prefix) else { return nil }
        let suffix = text.utf8.dropFirst(Self.prefix.utf8.count)
        guard suffix.count == Self.suffixLength, suffix.allSatisfy(Self.alphabet.contains) else { return nil }
        rawValue = text
    }

    /// The id of the saga that fulfils this order.
    public var sagaId: String { Self.sagaPrefix + rawValue.dropFirst(Self.prefix.count) }

    /// The order id of a saga id made by ``sagaId``, or nil.
    public init?(sagaId: String) {
        guard sagaId.hasPrefix(Self.sagaPrefix) else { return nil }
        self.init(Self.prefix + sagaId.dropFirst(Self.sagaPrefix.count))
    }

    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let id = OrderID(text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "not an order id: \(text)"))
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

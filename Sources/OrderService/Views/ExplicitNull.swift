/// An optional field that the API always sends: JSON `null` when it has no value, instead of leaving the key out.
///
/// Clients can then read every documented field of an answer without first asking whether it is there.
@propertyWrapper
struct ExplicitNull<Wrapped: Encodable & Sendable>: Encodable, Sendable {
    var wrappedValue: Wrapped?

    init(wrappedValue: Wrapped?) {
        self.wrappedValue = wrappedValue
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue {
            try container.encode(wrappedValue)
        } else {
            try container.encodeNil()
        }
    }
}

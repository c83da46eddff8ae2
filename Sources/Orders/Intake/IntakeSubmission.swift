import Foundation
import Mongo
import SagaKit

/// One document of the intake collection, as found in a change event or by a catch-up scan.
struct IntakeSubmission: Sendable {
    /// The document's `_id`, of any BSON type.
    let id: BSONValue
    /// The whole document as inserted.
    let document: Document
    /// When it was inserted, when known: the change event's wall time, else the time in an ObjectId `_id`.
    let insertedAt: Date?

    /// The longest canonical `_id` an order is keyed on.
    static let maxKeyLength = 1024

    /// The submission of `document`, or nil when it has no `_id`.
    init?(document: Document, insertedAt: Date? = nil) {
        guard let id = document["_id"] else { return nil }
        self.id = id
        self.document = document
        self.insertedAt = insertedAt ?? id.objectIdValue?.timestamp
    }

    /// Whether the service already marked the document (`status` set), or it was inserted with a `status` of its own:
    /// either way it is not waiting to become an order.
    var isMarked: Bool {
        guard let status = document["status"] else { return false }
        return !status.isNull
    }

    /// The `_id` in one string, equal for ids MongoDB holds equal (numbers by value), distinct otherwise.
    var canonicalId: String { Self.canonical(id) }

    /// The idempotency key the document's order is placed with, under its customer. It holds a space, which an
    /// `Idempotency-Key` header cannot, so no request over HTTP can claim it.
    func idempotencyKey(collection: String) -> String { "intake \(collection) \(canonicalId)" }

    /// `id` in canonical string form: `s:` strings, `oid:` ObjectIds, `n:` numbers, `x:` anything else as canonical
    /// Extended JSON.
    static func canonical(_ id: BSONValue) -> String {
        switch id {
        case .string(let text): return "s:" + text
        case .objectId(let objectId): return "oid:" + objectId.hex
        case .int32(let value): return "n:\(value)"
        case .int64(let value): return "n:\(value)"
        case .double(let value):
            if value.rounded() == value, let exact = Int64(exactly: value) { return "n:\(exact)" }
            return "n:\(value)"
        default: return "x:" + Document([("_id", id)]).canonicalExtendedJSON
        }
    }

    /// The document's body (everything but `_id`) as the place-order validation reads it: BSON types with a JSON
    /// counterpart become it, the others are invalid fields of their own.
    ///
    /// Integers of either width are JSON integers, doubles and decimals numbers with a fraction (as `2.0` is in a
    /// JSON body: not an integer); ObjectIds, dates, binaries and the like are named as invalid where they are.
    func body() -> (json: JSONValue, foreign: [IntakeFieldError]) {
        var foreign: [IntakeFieldError] = []
        var members: [String: JSONValue] = [:]
        for (key, value) in document where key != "_id" {
            members[key] = Self.json(value, at: key, foreign: &foreign)
        }
        return (.object(members), foreign)
    }

    private static func json(_ value: BSONValue, at path: String, foreign: inout [IntakeFieldError]) -> JSONValue {
        switch value {
        case .null: return .null
        case .bool(let flag): return .bool(flag)
        case .int32(let number): return .int(Int64(number))
        case .int64(let number): return .int(number)
        case .double(let number): return .double(number)
        case .decimal128(let number): return .double(Double(number.description) ?? .nan)
        case .string(let text): return .string(text)
        case .array(let elements):
            return .array(
                elements.enumerated().map { json($0.element, at: "\(path)[\($0.offset)]", foreign: &foreign) })
        case .document(let fields):
            var members: [String: JSONValue] = [:]
            for (key, member) in fields { members[key] = json(member, at: "\(path).\(key)", foreign: &foreign) }
            return .object(members)
        default:
            foreign.append(
                IntakeFieldError(
                    field: path,
                    message: "must be a string, number, boolean, object or array, not BSON \(value.typeName)"))
            return .null
        }
    }

    /// The place-order request the document holds, or every invalid field in it.
    func request(rules: IntakeRules) -> Result<OrderRequest, IntakeRejection> {
        guard canonicalId.utf8.count <= Self.maxKeyLength else {
            return .failure(
                IntakeRejection([
                    IntakeFieldError(field: "_id", message: "must be at most \(Self.maxKeyLength) bytes in string form")
                ]))
        }
        let (json, foreign) = body()
        switch rules.readRequest(json) {
        case .success(let request):
            return foreign.isEmpty ? .success(request) : .failure(IntakeRejection(foreign))
        case .failure(let rejection):
            // A value of a foreign type was read as null; what validation said about that null is replaced.
            let replaced = Set(foreign.map(\.field))
            return .failure(IntakeRejection(rejection.errors.filter { !replaced.contains($0.field) } + foreign))
        }
    }
}

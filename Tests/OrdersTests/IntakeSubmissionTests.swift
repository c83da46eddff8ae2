import Foundation
import Mongo
import SagaKit
import Testing

@testable import Orders

/// How an intake document is keyed and read before the place-order validation sees it.
@Suite("Intake submissions")
struct IntakeSubmissionTests {
    @Test("ids MongoDB holds equal share one key; ids it holds distinct do not")
    func canonicalIds() {
        let one = ["n:1"]
        #expect([BSONValue.int32(1), .int64(1), .double(1)].map(IntakeSubmission.canonical) == one + one + one)
        let distinct: [BSONValue] = [
            .string("1"), .int32(1), .double(1.5), .objectId(ObjectId("6b0d37a004c669f0132fa243")!),
            .document(["a": 1]), .bool(true),
        ]
        #expect(Set(distinct.map(IntakeSubmission.canonical)).count == distinct.count)
        #expect(
            IntakeSubmission.canonical(.objectId(ObjectId("6b0d37a004c669f0132fa243")!))
                == "oid:6b0d37a004c669f0132fa243")
    }

    @Test("the idempotency key holds a space, which no Idempotency-Key header can")
    func keyCannotComeOverHTTP() throws {
        let submission = try #require(IntakeSubmission(document: ["_id": "a", "customerId": "c"]))
        #expect(submission.idempotencyKey(collection: "order_intake") == "intake order_intake s:a")
    }

    @Test("the body is read as JSON without its _id; BSON types JSON lacks are invalid where they are")
    func bodyAsJSON() throws {
        let document: Document = [
            "_id": .objectId(ObjectId()), "customerId": "c-1",
            "items": [["sku": "SKU-1", "quantity": .int32(2)], ["sku": "SKU-2", "quantity": .datetime(Date())]],
            "note": .decimal128(Decimal128("2.5")!),
        ]
        let submission = try #require(IntakeSubmission(document: document))
        let (json, foreign) = submission.body()
        #expect(json["_id"] == nil)
        #expect(json["customerId"] == .string("c-1"))
        #expect(json["items"]?.arrayValue?.first?["quantity"] == .int(2))
        #expect(json["note"] == .double(2.5))
        #expect(foreign.map(\.field) == ["items[1].quantity"])
        #expect(foreign.first?.message == "must be a string, number, boolean, object or array, not BSON datetime")
    }

    @Test(
        "a foreign-typed value's error replaces what validation said of it; a document with an ObjectId gets its time")
    func foreignErrorsReplaceValidationErrors() throws {
        let submission = try #require(
            IntakeSubmission(document: ["_id": .objectId(ObjectId()), "customerId": .objectId(ObjectId())]))
        #expect(submission.insertedAt != nil)
        let rules = IntakeRules(
            readRequest: { json in
                .failure(
                    IntakeRejection([
                        IntakeFieldError(field: "customerId", message: "is required"),
                        IntakeFieldError(field: "items", message: "is required"),
                    ]))
            },
            placementRefusal: { _ in nil })
        guard case .failure(let rejection) = submission.request(rules: rules) else {
            Issue.record("a document with an ObjectId customer is not a request")
            return
        }
        #expect(rejection.errors.map(\.field) == ["items", "customerId"])
        #expect(rejection.errors.last?.message.hasSuffix("not BSON objectId") == true)
    }
}

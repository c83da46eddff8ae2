import Foundation
import Mongo
import MongoTesting
import Testing

@testable import OrderService

/// Orders that arrive as documents inserted into `INTAKE_COLLECTION`: exactly one order and saga each, across
/// instances, restarts and lost resume tokens; invalid ones rejected with the errors a 422 gives.
@Suite("Order intake through the database", .serialized)
struct IntakeTests {
    static let collection = "order_intake"

    /// A valid intake document for `quantity` units of SKU-1.
    static func document(id: BSONValue, customer: String = "c-42", quantity: Int = 1) -> Document {
        [
            "_id": id, "customerId": .string(customer),
            "items": [["sku": "SKU-1", "quantity": .int32(Int32(quantity))]],
            "paymentToken": "tok_visa",
            "shippingAddress": [
                "name": "Ada", "line1": "1 Main St", "city": "Springfield", "postalCode": "12345", "country": "US",
            ],
        ]
    }

    @Test("a burst with two instances running: every document becomes exactly one order whose saga completes")
    func burstWithTwoInstances() async throws {
        try await ServiceCluster.run(instances: 2, environment: ["INTAKE_COLLECTION": Self.collection]) { cluster in
            let first = try await cluster.start(0)
            try await cluster.start(1)
            try await first.putProduct("SKU-1", price: "3.00", stock: 1000)
            var ids: [BSONValue] = (0..<12).map { _ in .objectId(ObjectId()) }
            ids += (0..<6).map { .string("checkout-\($0)") }
            ids += (0..<6).map { .int64(Int64(1000 + $0)) }
            let intake = first.database.collection(Self.collection)
            for chunk in stride(from: 0, to: ids.count, by: 6) {
                try await intake.insertMany(ids[chunk..<chunk + 6].map { Self.document(id: $0) })
            }
            let marked = try await Self.expectEachAccepted(intake, count: ids.count, by: first)
            let orderIds = marked.compactMap { $0["orderId"]?.stringValue }
            for orderId in orderIds {
                let saga = try await first.waitForTerminal(orderId, timeout: .seconds(60))
                #expect(saga["status"] as? String == "COMPLETED")
                #expect(try await first.ledger("charges", orderId: orderId).count == 1)
            }
            #expect(try await first.stock("SKU-1").stock == 1000 - ids.count)
            let metrics = try await first.request(.GET, "/metrics", key: nil).text
            for name in ["intake_accepted_total", "intake_rejected_total", "intake_gaps_total", "intake_lag_seconds"] {
                #expect(metrics.contains("\(name)"), "metrics lack \(name)")
            }
        }
    }

    @Test("a restart in the middle of a burst loses nothing, doubles nothing, and advances the stored token")
    func restartInTheMiddleOfABurst() async throws {
        try await ServiceCluster.run(instances: 1, environment: ["INTAKE_COLLECTION": Self.collection]) { cluster in
            var service = try await Self.startStocked(cluster)
            let intake = service.database.collection(Self.collection)
            let gapsBefore = try await Self.gaps(service)
            try await intake.insertMany((0..<10).map { Self.document(id: .string("before-\($0)")) })
            // Stop as soon as the first of the burst is handled, while more of it arrives during the shutdown.
            _ = try await Self.waitUntilMarked(intake, count: 1, total: false)
            let arriving = Task {
                for chunk in 0..<5 {
                    try await intake.insertMany((0..<2).map { Self.document(id: .string("during-\(chunk)-\($0)")) })
                }
            }
            try await cluster.stop(0)
            try await arriving.value
            let tokenAtStop = try await Self.storedToken(service)
            #expect(tokenAtStop != nil, "the token is saved as batches are handled")
            try await intake.insertMany((0..<5).map { Self.document(id: .string("while-down-\($0)")) })

            service = try await cluster.start(0)
            try await intake.insertMany((0..<5).map { Self.document(id: .string("after-\($0)")) })
            _ = try await Self.expectEachAccepted(intake, count: 30, by: service)
            // The token is saved once a batch's documents are marked, so it may trail the last marks a little.
            _ = try await Self.waitForStoredToken(service) { $0 != nil && $0 != tokenAtStop }
            #expect(try await Self.gaps(service) == gapsBefore, "a stored token that resumes is no gap")
        }
    }

    @Test(
        "a stop during the first start's catch-up scan keeps the stream's start, and the next start finishes the scan")
    func stopDuringTheFirstCatchUp() async throws {
        try await ServiceCluster.run(instances: 1, environment: ["INTAKE_COLLECTION": Self.collection]) { cluster in
            var service = try await Self.startStocked(cluster)
            try await cluster.stop(0)
            try await service.historyDatabase.collection("intake_cursors").deleteMany(filter: [:])
            let intake = service.database.collection(Self.collection)
            try await intake.insertMany((0..<60).map { Self.document(id: .string("waiting-\($0)")) })

            service = try await cluster.start(0)
            _ = try await Self.waitUntilMarked(intake, count: 1, total: false)
            try await cluster.stop(0)
            #expect(try await intake.countDocuments(["status": .null]) > 0, "the stop came before the scan's end")
            let tokenAtStop = try await Self.storedToken(service)
            #expect(tokenAtStop != nil, "the stream's start is saved before its scan")

            service = try await cluster.start(0)
            _ = try await Self.expectEachAccepted(intake, count: 60, by: service)
        }
    }

    @Test(
        "a resume token the server refuses: a catch-up scan handles the gap, which is counted, and the stream restarts")
    func lostResumeToken() async throws {
        try await ServiceCluster.run(instances: 1, environment: ["INTAKE_COLLECTION": Self.collection]) { cluster in
            var service = try await Self.startStocked(cluster)
            let gapsBefore = try await Self.gaps(service)
            try await cluster.stop(0)
            let intake = service.database.collection(Self.collection)
            // While the service is down, its position is lost (as when the oplog rolls past it) and orders arrive.
            let refused: Document = ["_data": "00DEADBEEF"]
            try await service.historyDatabase.collection("intake_cursors").updateOne(
                filter: ["_id": .string(Self.collection)], update: ["$set": ["resumeToken": .document(refused)]],
                options: UpdateOptions(upsert: true))
            try await intake.insertMany((0..<8).map { Self.document(id: .objectId(ObjectId()), quantity: $0 + 1) })

            service = try await cluster.start(0)
            let scanned = try await Self.waitUntilMarked(intake, count: 8)
            #expect(scanned.allSatisfy { $0["status"]?.stringValue == "accepted" })
            #expect(try await Self.gaps(service) == gapsBefore + 1)
            // The new stream's start is saved, then the stream runs on from it and saves past what it handles.
            let restarted = try await Self.waitForStoredToken(service) { $0 != nil && $0 != refused }
            try await intake.insertOne(Self.document(id: .string("after-the-gap")))
            _ = try await Self.expectEachAccepted(intake, count: 9, by: service)
            _ = try await Self.waitForStoredToken(service) { $0 != nil && $0 != refused && $0 != restarted }
        }
    }

    @Test("history lost under a running stream (ChangeStreamHistoryLost on getMore): the gap is scanned and counted")
    func historyLostWhileRunning() async throws {
        try await FailCommand.withIsolatedClient { _, faults in
            let uri = try TestDeployment.uri()
            // Only the business client carries the fail point's application name: the intake's stream is its getMore.
            let environment = [
                "INTAKE_COLLECTION": Self.collection,
                "MONGODB_URI": uri + (uri.contains("?") ? "&" : "?") + "appname=" + faults.appName,
                "HISTORY_MONGODB_URI": uri,
            ]
            try await ServiceCluster.run(instances: 1, environment: environment) { cluster in
                let service = try await Self.startStocked(cluster)
                let intake = service.database.collection(Self.collection)
                try await intake.insertOne(Self.document(id: .string("before")))
                _ = try await Self.waitUntilMarked(intake, count: 1)
                let gapsBefore = try await Self.gaps(service)

                try await faults.commandError(on: ["getMore"], code: 286, times: 1)
                try await intake.insertMany((0..<6).map { Self.document(id: .string("during-\($0)")) })
                _ = try await Self.expectEachAccepted(intake, count: 7, by: service)
                let gapsAfter = try await Self.gaps(service)
                #expect(gapsAfter == gapsBefore + 1)
            }
        }
    }

    @Test("invalid documents are marked rejected with the errors a 422 gives, and start nothing")
    func invalidDocumentsAreRejected() async throws {
        try await ServiceCluster.run(instances: 1, environment: ["INTAKE_COLLECTION": Self.collection]) { cluster in
            let service = try await Self.startStocked(cluster)
            let intake = service.database.collection(Self.collection)
            let address =
                #""shippingAddress":{"name":"Ada","line1":"1 Main St","city":"Springfield","postalCode":"12345","country":"US"}"#
            // Each case: the document's body as JSON (inserted as the same BSON) and what a POST of it answers.
            let bodies: [String: String] = [
                "bad-quantity":
                    #"{"customerId":"c-42","items":[{"sku":"SKU-1","quantity":0}],"paymentToken":"tok_visa",\#(address)}"#,
                "unknown-sku":
                    #"{"customerId":"c-42","items":[{"sku":"NOPE","quantity":1}],"paymentToken":"tok_visa",\#(address)}"#,
                "missing-token": #"{"customerId":"c-42","items":[{"sku":"SKU-1","quantity":1}],\#(address)}"#,
                "wrong-types":
                    #"{"customerId":42,"items":[{"sku":"SKU-1","quantity":"2"}],"paymentToken":"tok_visa","shippingAddress":"here"}"#,
                "fractional":
                    #"{"customerId":"c-42","items":[{"sku":"SKU-1","quantity":1.5}],"paymentToken":"tok_visa",\#(address),"extra":true}"#,
            ]
            var expected: [String: [[String: String]]] = [:]
            for (id, body) in bodies {
                var document = try Document(extendedJSON: body)
                document.append("_id", .string(id))
                try await intake.insertOne(document)
                let answer = try await service.request(.POST, "/v1/orders", body: body)
                #expect(answer.status == 422, "\(id): \(answer.text)")
                expected[id] = (try answer.json["errors"] as? [[String: String]]) ?? []
            }
            // A BSON type JSON has no counterpart for is named where it is.
            var foreign = Self.document(id: .string("object-id-customer"))
            foreign["customerId"] = .objectId(ObjectId())
            try await intake.insertOne(foreign)

            let marked = try await Self.waitUntilMarked(intake, count: bodies.count + 1)
            for document in marked {
                let id = document["_id"]?.stringValue ?? "?"
                #expect(document["status"]?.stringValue == "rejected", "\(id)")
                #expect(document["orderId"] == nil && document["processedAt"]?.dateValue != nil, "\(id)")
                let errors = (document["errors"]?.arrayValue ?? []).compactMap { $0.documentValue }.map {
                    ["field": $0["field"]?.stringValue ?? "", "message": $0["message"]?.stringValue ?? ""]
                }
                if let want = expected[id] {
                    #expect(!want.isEmpty && errors == want, "\(id): \(errors) ≠ \(want)")
                } else {
                    #expect(errors.map { $0["field"] } == ["customerId"], "\(id): \(errors)")
                }
            }
            #expect(try await service.count("orders") == 0)
            #expect(try await service.sagaCount() == 0)
        }
    }

    // MARK: Helpers

    /// Waits (at most `timeout`) until `count` intake documents are marked (`total`: and no more are unmarked);
    /// returns the marked ones.
    static func waitUntilMarked(
        _ intake: MongoCollection<Document>, count: Int, total: Bool = true, timeout: Duration = .seconds(90)
    ) async throws -> [Document] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let marked = try await intake.find(["status": ["$ne": .null]]).toArray()
            let unmarked = try await intake.countDocuments(["status": .null])
            if marked.count >= count && (!total || unmarked == 0) { return marked }
            guard ContinuousClock.now < deadline else {
                throw HarnessError("\(marked.count) of \(count) intake documents marked after \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Starts instance 0 of `cluster` and puts 1000 units of SKU-1 in stock.
    static func startStocked(_ cluster: ServiceCluster) async throws -> ServiceHarness {
        let service = try await cluster.start(0)
        try await service.putProduct("SKU-1", price: "3.00", stock: 1000)
        return service
    }

    /// Waits until `count` intake documents are marked and none is unmarked, and expects each accepted as an order
    /// of its own that `service` has, with its saga; returns the marked documents.
    static func expectEachAccepted(
        _ intake: MongoCollection<Document>, count: Int, by service: ServiceHarness
    ) async throws -> [Document] {
        let marked = try await waitUntilMarked(intake, count: count)
        #expect(marked.allSatisfy { $0["status"]?.stringValue == "accepted" })
        #expect(Set(marked.compactMap { $0["orderId"]?.stringValue }).count == count, "one distinct order each")
        #expect(try await service.count("orders") == count)
        #expect(try await service.sagaCount() == count)
        return marked
    }

    /// The resume token the intake stored in the history store.
    static func storedToken(_ service: ServiceHarness) async throws -> Document? {
        try await service.historyDatabase.collection("intake_cursors").findOne(["_id": .string(collection)])?[
            "resumeToken"]?.documentValue
    }

    /// The stored resume token once `accepts` it; throws after `timeout`.
    static func waitForStoredToken(
        _ service: ServiceHarness, timeout: Duration = .seconds(10), _ accepts: (Document?) -> Bool
    ) async throws -> Document? {
        let deadline = ContinuousClock.now + timeout
        while true {
            let token = try await storedToken(service)
            if accepts(token) { return token }
            guard ContinuousClock.now < deadline else {
                throw HarnessError("the stored resume token is still \(String(describing: token)) after \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// `intake_gaps_total` for the intake collection, from `/metrics` (0 before it is first reported).
    static func gaps(_ service: ServiceHarness) async throws -> Double {
        let text = try await service.request(.GET, "/metrics", key: nil).text
        let prefix = "intake_gaps_total{collection=\"\(collection)\"} "
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) else { return 0 }
        return Double(line.dropFirst(prefix.count)) ?? 0
    }
}

/// `INTAKE_COLLECTION` is checked when the service starts.
@Suite("Intake configuration")
struct IntakeConfigurationTests {
    @Test("unset is off; a legal name is taken; an illegal one, or one of the service's own, is refused with a reason")
    func collectionName() throws {
        #expect(try ServiceConfiguration.fromEnvironment([:]).intakeCollection == nil)
        #expect(
            try ServiceConfiguration.fromEnvironment(["INTAKE_COLLECTION": "shop.order_intake"]).intakeCollection
                == "shop.order_intake")
        for name in [
            "1st", "has space", "dollar$", "system.intake", "a..b", String(repeating: "x", count: 121), "orders",
        ] {
            #expect(throws: ServiceConfiguration.Invalid.self, "\(name)") {
                try ServiceConfiguration.fromEnvironment(["INTAKE_COLLECTION": name])
            }
        }
        do {
            _ = try ServiceConfiguration.fromEnvironment(["INTAKE_COLLECTION": "bad name"])
        } catch let error as ServiceConfiguration.Invalid {
            #expect(error.description.hasPrefix("INTAKE_COLLECTION must be a collection name"))
        }
    }
}

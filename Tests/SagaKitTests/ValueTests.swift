import Foundation
import SagaKit
import SagaKitTesting
import Testing

@Suite("Values: JSON, errors, retry policy, time")
struct ValueTests {
    struct Sample: Codable, Equatable {
        var id: Int64
        var amount: String
        var at: Date
        var tags: [String]
        var ratio: Double
        var nested: [String: Bool]
    }

    @Test("Codable values round-trip through JSONValue with exact integers and millisecond dates")
    func bridging() throws {
        let sample = Sample(
            id: 9_007_199_254_740_993,
            amount: "1234.56",
            at: Date(timeIntervalSince1970: 1_735_689_600.123),
            tags: ["a", "b"],
            ratio: 0.25,
            nested: ["x": true]
        )
        let json = try JSONValue(encoding: sample)
        #expect(json["id"] == .int(9_007_199_254_740_993))
        #expect(json["amount"] == "1234.56")
        #expect(json["at"] == "2025-01-01T00:00:00.123Z")
        #expect(json["ratio"] == .double(0.25))
        #expect(try json.decode(as: Sample.self) == sample)
    }

    @Test("JSONValue encodes as plain JSON and decodes back")
    func plainJSON() throws {
        let value: JSONValue = ["n": .null, "b": true, "i": 42, "d": 1.5, "s": "x", "a": [1, "two"], "o": ["k": "v"]]
        let text = value.jsonText()
        #expect(text == #"{"a":[1,"two"],"b":true,"d":1.5,"i":42,"n":null,"o":{"k":"v"},"s":"x"}"#)
        #expect(try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) == value)
    }

    @Test("dates format with exactly three fractional digits and parse back exactly")
    func dates() {
        let date = SagaTime.date(milliseconds: 1_735_689_600_007)
        #expect(SagaTime.format(date) == "2025-01-01T00:00:00.007Z")
        #expect(SagaTime.parse("2025-01-01T00:00:00.007Z") == date)
        #expect(SagaTime.parse("2025-01-01T00:00:00Z") == SagaTime.date(milliseconds: 1_735_689_600_000))
        #expect(SagaTime.parse("yesterday") == nil)
        #expect(SagaTime.truncated(date.addingTimeInterval(0.0004)) == date)
    }

    @Test("the delay before attempt n is min(initial × coeff^(n-2), max) × (1 + jitter × (2u − 1))")
    func delayFormula() {
        let policy = RetryPolicy(
            initialInterval: .milliseconds(100), backoffCoefficient: 3, maximumInterval: .seconds(1),
            maximumAttempts: 0, jitter: 0.2)
        #expect(policy.delay(beforeAttempt: 2, randomUnit: 0.5) == .milliseconds(100))
        #expect(policy.delay(beforeAttempt: 3, randomUnit: 0.5) == .milliseconds(300))
        #expect(policy.delay(beforeAttempt: 4, randomUnit: 0.5) == .milliseconds(900))
        #expect(policy.delay(beforeAttempt: 5, randomUnit: 0.5) == .seconds(1))
        #expect(policy.delay(beforeAttempt: 3, randomUnit: 0) == .milliseconds(240))
        #expect(policy.delay(beforeAttempt: 3, randomUnit: 1) == .milliseconds(360))
        #expect(policy.delayBounds(beforeAttempt: 5) == .milliseconds(800) ... .milliseconds(1200))
        #expect(policy.allowsAnotherAttempt(after: 1000))
        #expect(!RetryPolicy(maximumAttempts: 3).allowsAnotherAttempt(after: 3))
    }

    @Test("a retry policy encodes its durations as milliseconds")
    func policyCodable() throws {
        let policy = RetryPolicy(
            initialInterval: .milliseconds(250), maximumInterval: .seconds(5), maximumAttempts: 4,
            nonRetryableErrorKinds: ["B", "A"], jitter: 0.1)
        let json = try JSONValue(encoding: policy)
        #expect(json["initialIntervalMs"] == 250)
        #expect(json["maximumIntervalMs"] == 5000)
        #expect(json["nonRetryableErrorKinds"] == ["A", "B"])
        #expect(try json.decode(as: RetryPolicy.self) == policy)
    }

    @Test("errors are classified: StepErrors as they are, others retryable with their type name")
    func classification() {
        #expect(
            StepError.classify(StepError.nonRetryable(kind: "X", message: "m"))
                == .nonRetryable(kind: "X", message: "m"))
        #expect(StepError.classify(PlainFailure()) == .retryable(kind: "PlainFailure", message: "plain failure"))
        #expect(StepError.timeout(after: .seconds(2)).kind == "Timeout")
        #expect(StepError.timeout(after: .seconds(2)).retryable)
        let policy = RetryPolicy(nonRetryableErrorKinds: ["X"])
        #expect(!policy.classify(.retryable(kind: "X", message: "m")).retryable)
        #expect(policy.classify(.retryable(kind: "Y", message: "m")).retryable)
    }

    @Test("a registry refuses invalid definitions and keeps versions apart")
    func registry() throws {
        let log = EffectLog()
        let registry = SagaRegistry()
        try registry.register(TestSagas.fourSteps(log: log, version: 1))
        try registry.register(TestSagas.fourSteps(log: log, version: 2))
        #expect(registry.latest("four")?.version == 2)
        #expect(registry.versions(of: "four") == [1, 2])
        #expect(throws: SagaDefinitionError.alreadyRegistered(name: "four", version: 1)) {
            try registry.register(TestSagas.fourSteps(log: log, version: 1))
        }
        let duplicate = SagaDefinition<TestInput>(name: "dup", version: 1) {
            TestSagas.step("A", log: log, compensation: "A")
        }
        #expect(throws: SagaDefinitionError.duplicateName("A")) { try registry.register(duplicate) }
        let reserved = SagaDefinition<TestInput>(name: "reserved", version: 1) {
            SignalWaitStep<TestInput>("Wait", continueOn: ["cancel"], timeout: nil, onTimeout: nil)
        }
        #expect(throws: SagaDefinitionError.reservedSignal(step: "Wait", signal: "cancel")) {
            try registry.register(reserved)
        }
    }

    @Test("the test clock wakes sleepers in deadline order when time passes their deadline")
    func testClock() async throws {
        let clock = TestClock()
        let order = EffectLog()
        let late = Task {
            try await clock.sleep(until: clock.now.addingTimeInterval(2))
            order.record("late", key: "", attempt: 0)
        }
        let early = Task {
            try await clock.sleep(until: clock.now.addingTimeInterval(1))
            order.record("early", key: "", attempt: 0)
        }
        #expect(await clock.waitForSleepers(count: 2))
        clock.advance(by: .milliseconds(999))
        #expect(clock.sleeperCount == 2)
        clock.advance(by: .seconds(5))
        try await early.value
        try await late.value
        #expect(clock.sleeperCount == 0)
        #expect(Set(order.names) == ["early", "late"])

        let cancelled = Task { try await clock.sleep(until: clock.now.addingTimeInterval(60)) }
        #expect(await clock.waitForSleepers(count: 1))
        cancelled.cancel()
        await #expect(throws: CancellationError.self) { try await cancelled.value }
        #expect(clock.sleeperCount == 0)
    }
}

/// The direct JSONValue coder gives what a JSON text round trip gave, without the text.
@Suite("JSONValue coding")
struct JSONValueCodingTests {
    struct Inner: Codable, Hashable {
        var when: Date
        var blob: Data
        var ratio: Double
        var whole: Double
        var maybe: String?
    }

    struct Outer: Codable, Hashable {
        var name: String
        var count: Int
        var flags: [Bool]
        var inner: Inner
        var byName: [String: Int]
        var nested: [[Int8]]
        var nothing: Int?
    }

    /// Encodes with a nested keyed container by hand, as custom conformances do.
    struct Custom: Codable, Hashable {
        var a: Int
        var b: String
        enum Keys: String, CodingKey { case outer, a, b }
        init(a: Int, b: String) {
            self.a = a
            self.b = b
        }
        init(from decoder: any Decoder) throws {
            let outer = try decoder.container(keyedBy: Keys.self).nestedContainer(keyedBy: Keys.self, forKey: .outer)
            a = try outer.decode(Int.self, forKey: .a)
            b = try outer.decode(String.self, forKey: .b)
        }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            var outer = container.nestedContainer(keyedBy: Keys.self, forKey: .outer)
            try outer.encode(a, forKey: .a)
            try outer.encode(b, forKey: .b)
        }
    }

    static let sample = Outer(
        name: "x", count: 3, flags: [true, false],
        inner: Inner(
            when: SagaTime.date(milliseconds: 1_800_000_000_123), blob: Data([1, 2, 3]), ratio: 0.25, whole: 2,
            maybe: nil),
        byName: ["a": 1, "b": 2], nested: [[1, -2], []], nothing: nil)

    @Test("values round-trip, and encode as a JSON text round trip encoded them")
    func matchesTextRoundTrip() throws {
        let direct = try JSONValue(encoding: Self.sample)
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(SagaTime.format(date))
        }
        let viaText = try JSONDecoder().decode(JSONValue.self, from: try encoder.encode(Self.sample))
        #expect(direct == viaText)
        #expect(direct["inner"]?["whole"] == .int(2), "whole numbers are ints, as a text round trip made them")
        #expect(direct["inner"]?["maybe"] == nil, "absent optionals are left out")
        #expect(try direct.decode(as: Outer.self) == Self.sample)
        let custom = Custom(a: 7, b: "seven")
        let value = try JSONValue(encoding: custom)
        #expect(value == ["outer": ["a": 7, "b": "seven"]])
        #expect(try value.decode(as: Custom.self) == custom)
    }

    @Test("URLs round-trip as text; a Float encodes as the number it prints as")
    func urlsAndFloats() throws {
        struct Link: Codable, Hashable {
            var href: URL
            var weight: Float
        }
        let link = Link(href: URL(string: "https://example.com/a?b=c")!, weight: 0.1)
        let value = try JSONValue(encoding: link)
        #expect(value == ["href": "https://example.com/a?b=c", "weight": .double(0.1)])
        #expect(try value.decode(as: Link.self) == link)
    }

    @Test("a value that does not fit its type is a decoding error naming the path")
    func mismatches() {
        #expect(throws: DecodingError.self) { try JSONValue.object(["count": "three"]).decode(as: Outer.self) }
        #expect(throws: DecodingError.self) { try JSONValue.int(300).decode(as: Int8.self) }
        #expect(throws: EncodingError.self) { try JSONValue(encoding: Double.nan) }
    }
}

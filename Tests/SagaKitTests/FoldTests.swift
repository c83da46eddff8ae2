import Foundation
import SagaKit
import SagaKitTesting
import Testing

@Suite("History fold")
struct FoldTests {
    @Test("every prefix of recorded histories folds, and the same history folds to the same state")
    func prefixesFold() async throws {
        for (name, recorded) in try await Scenarios.all() {
            let events = recorded.record.events
            #expect(!events.isEmpty, "\(name)")
            for length in 1...events.count {
                let prefix = Array(events.prefix(length))
                let state = try SagaState.fold(prefix)
                #expect(state.lastSeq == Int64(length), "\(name) prefix \(length)")
                #expect(try SagaState.fold(prefix) == state, "\(name) prefix \(length) folds deterministically")
            }
            let final = try SagaState.fold(events)
            #expect(final.status == recorded.record.status, "\(name)")
            #expect(final.currentStepName == recorded.record.currentStep, "\(name)")
        }
    }

    @Test("events convert to their typed view and back without loss, and survive JSON")
    func kindRoundTrip() async throws {
        let encoder = JSONEncoder()
        let decoder = JSONDecoder()
        encoder.dateEncodingStrategy = .millisecondsSince1970
        decoder.dateDecodingStrategy = .millisecondsSince1970
        for (name, recorded) in try await Scenarios.all() {
            for event in recorded.record.events {
                let kind = try event.kind()
                #expect(HistoryEvent(seq: event.seq, at: event.at, kind: kind) == event, "\(name) \(event.type)")
                let decoded = try decoder.decode(HistoryEvent.self, from: encoder.encode(event))
                #expect(decoded == event, "\(name) \(event.type)")
                #expect(try decoded.kind() == kind, "the typed view an event keeps is what its JSON reads as: \(name)")
            }
        }
    }

    @Test("changing an event's raw fields changes its typed view too")
    func rawFieldChangeReachesKind() throws {
        var event = HistoryEvent(
            seq: 3, at: Date(timeIntervalSince1970: 1_700_000_000), kind: .stepStarted(step: "A", attempt: 1))
        event.step = "B"
        #expect(try event.kind() == .stepStarted(step: "B", attempt: 1))
        event.data = ["result": 1]
        event.type = HistoryEvent.EventType.stepCompleted.rawValue
        #expect(try event.kind() == .stepCompleted(step: "B", attempt: 1, result: 1))
    }

    @Test("SagaStarted keeps the saga's trace context when it has one, and writes nothing for it when not")
    func traceContext() throws {
        let traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        let traced = HistoryEvent(
            seq: 1, at: Date(timeIntervalSince1970: 1_700_000_000),
            kind: .sagaStarted(definition: "d", version: 1, input: ["n": 1], trace: ["traceparent": traceparent]))
        #expect(traced.data?["trace"] == ["traceparent": .string(traceparent)])
        guard case .sagaStarted(_, _, _, let trace) = try traced.kind() else {
            Issue.record("not a SagaStarted")
            return
        }
        #expect(trace == ["traceparent": traceparent])
        #expect(try SagaState.fold([traced]).trace == ["traceparent": traceparent])

        let untraced = HistoryEvent(
            seq: 1, at: Date(timeIntervalSince1970: 1_700_000_000),
            kind: .sagaStarted(definition: "d", version: 1, input: ["n": 1]))
        #expect(untraced.data?["trace"] == nil, "an untraced saga's history is as before")
        #expect(try SagaState.fold([untraced]).trace.isEmpty)
    }

    @Test("the folded state tells status, steps, attempts, errors and compensation progress")
    func stateContents() async throws {
        let recorded = try await Scenarios.stuckThenRetry()
        let state = try SagaState.fold(recorded.record.events)
        #expect(state.status == .compensated)
        #expect(state.completedSteps == ["A", "B"])
        let c = try #require(state.step(named: "C"))
        #expect(c.status == .failed)
        #expect(c.attempts == 3)
        #expect(c.lastError?.kind == "Unavailable")
        #expect(c.lastError?.retryable == true)
        #expect(state.step(named: "D") == nil)
        let progress = try #require(state.compensation)
        #expect(progress.cause == .failure)
        #expect(progress.failedStep == "C")
        #expect(progress.plan.map(\.compensation) == ["undoC", "undoB", "undoA"])
        #expect(progress.isFinished)
        #expect(state.compensations.map(\.name) == ["undoC", "undoB", "undoA"])
        #expect(state.compensation(named: "undoB")?.attempts == 4)
        #expect(state.compensation(named: "undoB")?.status == .completed)
        #expect(state.inboxConsumed == 1)
    }

    @Test("a seq gap or a duplicate seq is rejected by the fold")
    func outOfOrderRejectedByFold() async throws {
        let events = try await Scenarios.happy().record.events
        var state = try SagaState.fold(events.prefix(3))

        var gap = events[3]
        gap.seq = 5
        #expect(throws: SagaStateError.outOfOrder(expected: 4, found: 5)) { try state.apply(gap) }

        let duplicate = events[2]
        #expect(throws: SagaStateError.outOfOrder(expected: 4, found: 3)) { try state.apply(duplicate) }

        try state.apply(events[3])
        #expect(state.lastSeq == 4)
    }

    @Test("a seq gap or a duplicate seq is rejected by the store")
    func outOfOrderRejectedByStore() async throws {
        let happy = try await Scenarios.happy().record
        let store = InMemoryHistoryStore(clock: TestClock())
        let start = SagaStartRequest(
            sagaId: "gap", definitionName: "four", definitionVersion: 1, input: happy.input,
            events: Array(happy.events.prefix(3)), status: .running, currentStep: "A",
            owner: "me", leaseUntil: TestClock.defaultStart.addingTimeInterval(30), dueAt: nil,
            startedAt: TestClock.defaultStart
        )
        _ = try await store.startSaga(start)

        var gap = happy.events[3]
        gap.seq = 5
        await #expect(throws: HistoryStoreError.self) {
            try await store.append(
                AppendRequest(
                    sagaId: "gap", owner: "me", expectedSeq: 3, expectedInboxCount: 0, expectedStatus: .running,
                    events: [gap],
                    status: .running, currentStep: "A", dueAt: nil, lease: .release
                ))
        }
        await #expect(throws: HistoryStoreError.self) {
            try await store.append(
                AppendRequest(
                    sagaId: "gap", owner: "me", expectedSeq: 3, expectedInboxCount: 0, expectedStatus: .running,
                    events: [happy.events[2]],
                    status: .running, currentStep: "A", dueAt: nil, lease: .release
                ))
        }
        #expect(try await store.load(sagaId: "gap")?.lastSeq == 3)
    }

    @Test("impossible events are rejected with a typed error")
    func impossibleEvents() async throws {
        let events = try await Scenarios.happy().record.events
        let state = try SagaState.fold(events.prefix(3))
        let at = events[2].at

        let wrongStep = HistoryEvent(seq: 4, at: at, kind: .stepCompleted(step: "C", attempt: 1, result: .null))
        #expect {
            var copy = state
            try copy.apply(wrongStep)
        } throws: { error in
            guard case SagaStateError.invalidTransition(4, "StepCompleted", .running, _) = error else { return false }
            return true
        }

        let completedTooEarly = HistoryEvent(seq: 4, at: at, kind: .sagaCompleted)
        #expect(throws: SagaStateError.self) {
            var copy = state
            try copy.apply(completedTooEarly)
        }

        let skippedInbox = HistoryEvent(
            seq: 4, at: at,
            kind: .cancelRequested(
                SignalDelivery(signalId: "x", name: SagaSignal.cancel, payload: .null, inboxIndex: 3, sentAt: at),
                applied: true
            ))
        #expect(throws: SagaStateError.self) {
            var copy = state
            try copy.apply(skippedInbox)
        }

        let notStarted = HistoryEvent(seq: 1, at: at, kind: .stepScheduled(step: "A", kind: .action))
        #expect(throws: SagaStateError.self) { try SagaState.fold([notStarted]) }

        let unknownType = HistoryEvent(seq: 4, type: "StepExploded", at: at)
        #expect(throws: SagaStateError.malformedEvent(seq: 4, type: "StepExploded", reason: "unknown event type")) {
            var copy = state
            try copy.apply(unknownType)
        }
    }

    @Test("a compensation plan that is not the completed steps in reverse is rejected")
    func wrongPlanRejected() async throws {
        let events = try await Scenarios.failure().record.events
        let index = try #require(events.firstIndex { $0.type == "SagaCompensating" })
        let state = try SagaState.fold(events.prefix(index))
        let forward = HistoryEvent(
            seq: events[index].seq, at: events[index].at,
            kind: .sagaCompensating(
                cause: .failure, failedStep: "C", error: nil,
                plan: [
                    PlannedCompensation(step: "A", compensation: "undoA"),
                    PlannedCompensation(step: "B", compensation: "undoB"),
                ]
            ))
        #expect(throws: SagaStateError.self) {
            var copy = state
            try copy.apply(forward)
        }
        let neverStarted = HistoryEvent(
            seq: events[index].seq, at: events[index].at,
            kind: .sagaCompensating(
                cause: .failure, failedStep: "C", error: nil,
                plan: [PlannedCompensation(step: "D", compensation: "undoD")]
            ))
        #expect(throws: SagaStateError.self) {
            var copy = state
            try copy.apply(neverStarted)
        }
    }
}

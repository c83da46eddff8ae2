import Foundation
import SagaKit
import SagaKitTesting
import Testing

@Suite("Replayer")
struct ReplayerTests {
    @Test("recorded histories replay cleanly against their definitions")
    func acceptsRecorded() async throws {
        for (name, recorded) in try await Scenarios.all() {
            let issues = SagaReplayer.check(history: recorded.record.events, against: recorded.definition)
            #expect(issues.isEmpty, "\(name): \(issues)")
        }
    }

    @Test("a history with two steps swapped is flagged where it diverges")
    func swappedSteps() async throws {
        let recorded = try await Scenarios.happy()
        let events = recorded.record.events
        let bRange = 4..<7
        let cRange = 7..<10
        #expect(events[bRange].allSatisfy { $0.step == "B" })
        #expect(events[cRange].allSatisfy { $0.step == "C" })
        let swapped = Self.renumbered(
            Array(events[..<4]) + Array(events[cRange]) + Array(events[bRange]) + Array(events[10...]))

        let issues = SagaReplayer.check(history: swapped, against: recorded.definition)
        let issue = try #require(issues.first)
        #expect(issue.kind == .unexpectedEvent)
        #expect(issue.seq == 5)
        #expect(issue.message.contains("StepScheduled(B)"))
    }

    @Test("compensations recorded out of order are flagged")
    func compensationOutOfOrder() async throws {
        let recorded = try await Scenarios.failure()
        let events = recorded.record.events
        let undoB = try #require(events.firstIndex { $0.type == "CompensationStarted" && $0.step == "undoB" })
        let undoA = try #require(events.firstIndex { $0.type == "CompensationStarted" && $0.step == "undoA" })
        let tampered = Self.renumbered(
            Array(events[..<undoB]) + Array(events[undoA..<(undoA + 2)]) + Array(events[undoB..<(undoB + 2)])
                + Array(events[(undoA + 2)...])
        )

        let issues = SagaReplayer.check(history: tampered, against: recorded.definition)
        let issue = try #require(issues.first)
        #expect(issue.kind == .unexpectedEvent)
        #expect(issue.seq == events[undoB].seq)
        #expect(issue.message.contains("CompensationStarted(undoB"))
    }

    @Test("a compensation plan in the wrong order is flagged")
    func wrongPlan() async throws {
        let recorded = try await Scenarios.failure()
        var events = recorded.record.events
        let index = try #require(events.firstIndex { $0.type == "SagaCompensating" })
        let kind = try events[index].kind()
        guard case .sagaCompensating(let cause, let failedStep, let error, let plan) = kind else {
            throw ConditionTimeout()
        }
        events[index] = HistoryEvent(
            seq: events[index].seq, at: events[index].at,
            kind: .sagaCompensating(
                cause: cause, failedStep: failedStep, error: error, plan: plan.reversed()
            ))
        let issue = try #require(SagaReplayer.check(history: events, against: recorded.definition).first)
        #expect(issue.kind == .unexpectedEvent)
        #expect(issue.seq == events[index].seq)
    }

    @Test("a history missing its terminal event is flagged")
    func missingTerminal() async throws {
        let recorded = try await Scenarios.happy()
        let truncated = Array(recorded.record.events.dropLast())
        let issue = try #require(SagaReplayer.check(history: truncated, against: recorded.definition).first)
        #expect(issue.kind == .missingDecision)
        #expect(issue.message.contains("SagaCompleted"))
        #expect(
            SagaReplayer.check(
                history: Array(recorded.record.events.prefix(3)), against: recorded.definition, expectFinished: false
            ).isEmpty)
        #expect(
            SagaReplayer.check(history: Array(recorded.record.events.prefix(3)), against: recorded.definition).map(
                \.kind) == [.notFinished])
    }

    @Test("a step the definition does not have is flagged as unknown")
    func unknownStep() async throws {
        let recorded = try await Scenarios.happy()
        let renamed = recorded.record.events.map { event in
            var event = event
            if event.step == "C" { event.step = "Teleport" }
            return event
        }
        let issue = try #require(SagaReplayer.check(history: renamed, against: recorded.definition).first)
        #expect(issue.kind == .unknownStep)
    }

    @Test("a retry scheduled outside the policy's bounds, or a retry the policy forbids, is flagged")
    func retryOutOfPolicy() async throws {
        let recorded = try await Scenarios.stuckThenRetry()
        var events = recorded.record.events
        let index = try #require(events.firstIndex { $0.type == "StepFailed" })
        guard case .stepFailed(let step, let attempt, let error, _) = try events[index].kind() else {
            throw ConditionTimeout()
        }
        events[index] = HistoryEvent(
            seq: events[index].seq, at: events[index].at,
            kind: .stepFailed(
                step: step, attempt: attempt, error: error, nextAttemptAt: events[index].at.addingTimeInterval(5)
            ))
        let issue = try #require(SagaReplayer.check(history: events, against: recorded.definition).first)
        #expect(issue.kind == .retryOutOfPolicy)
        #expect(issue.seq == events[index].seq)

        var noRetry = recorded.record.events
        noRetry[index] = HistoryEvent(
            seq: noRetry[index].seq, at: noRetry[index].at,
            kind: .stepFailed(
                step: step, attempt: attempt, error: error, nextAttemptAt: nil
            ))
        let giveUp = try #require(SagaReplayer.check(history: noRetry, against: recorded.definition).first)
        #expect(giveUp.kind == .retryOutOfPolicy)
    }

    @Test("a history checked against another definition or version is flagged")
    func otherDefinition() async throws {
        let recorded = try await Scenarios.happy()
        let v2 = TestSagas.fourSteps(log: EffectLog(), version: 2)
        #expect(SagaReplayer.check(history: recorded.record.events, against: v2).map(\.kind) == [.definitionMismatch])
    }

    private static func renumbered(_ events: [HistoryEvent]) -> [HistoryEvent] {
        events.enumerated().map { offset, event in
            var event = event
            event.seq = Int64(offset + 1)
            return event
        }
    }
}

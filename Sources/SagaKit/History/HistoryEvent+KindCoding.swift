import Foundation

extension HistoryEvent {
    /// Creates the event for `kind` at position `seq`, decided at `at`.
    public init(seq: Int64, at: Date, kind: Kind) {
        let (step, attempt) = EventFields.subject(of: kind)
        self.seq = seq
        self.type = kind.type.rawValue
        self.step = step
        self.attempt = attempt
        self.at = SagaTime.truncated(at)
        self.details = .typed(kind)
    }

    /// The typed view of this event; throws ``SagaStateError/malformedEvent(seq:type:reason:)`` when the
    /// type is unknown or a field is missing.
    public func kind() throws(SagaStateError) -> Kind {
        if case .typed(let kind) = details { return kind }
        guard let eventType = EventType(rawValue: type) else { throw malformed("unknown event type") }
        let data = self.data ?? .null
        switch eventType {
        case .sagaStarted:
            return .sagaStarted(
                definition: try string(data, "definition"),
                version: try int(data, "version"),
                input: data["input"] ?? .null,
                trace: data["trace"]?.objectValue?.compactMapValues(\.stringValue) ?? [:]
            )
        case .stepScheduled:
            guard let kind = SagaStepKind(rawValue: data["kind"]?.stringValue ?? SagaStepKind.action.rawValue) else {
                throw malformed("unknown step kind")
            }
            return .stepScheduled(step: try requiredStep(), kind: kind)
        case .stepStarted:
            return .stepStarted(step: try requiredStep(), attempt: try requiredAttempt())
        case .stepCompleted:
            return .stepCompleted(
                step: try requiredStep(), attempt: try requiredAttempt(), result: data["result"] ?? .null)
        case .stepFailed:
            return .stepFailed(
                step: try requiredStep(),
                attempt: try requiredAttempt(),
                error: try stepError(data),
                nextAttemptAt: try optionalDate(data, "nextAttemptAt")
            )
        case .stepSkipped:
            guard let kind = SagaStepKind(rawValue: data["kind"]?.stringValue ?? SagaStepKind.action.rawValue) else {
                throw malformed("unknown step kind")
            }
            return .stepSkipped(step: try requiredStep(), kind: kind, reason: data["reason"]?.stringValue ?? "")
        case .timerStarted:
            return .timerStarted(step: try requiredStep(), fireAt: try date(data, "fireAt"))
        case .timerFired:
            return .timerFired(step: try requiredStep())
        case .signalWaitStarted:
            let signals = (data["signals"]?.arrayValue ?? []).compactMap(\.stringValue)
            return .signalWaitStarted(
                step: try requiredStep(), signals: signals, deadline: try optionalDate(data, "deadline"))
        case .signalReceived:
            return .signalReceived(try delivery(data), step: step, applied: try bool(data, "applied"))
        case .signalWaitTimedOut:
            return .signalWaitTimedOut(step: try requiredStep())
        case .cancelRequested:
            return .cancelRequested(try delivery(data), applied: try bool(data, "applied"))
        case .retryRequested:
            return .retryRequested(try delivery(data), applied: try bool(data, "applied"))
        case .revertRequested:
            return .revertRequested(try delivery(data), applied: try bool(data, "applied"))
        case .sagaCompensating:
            guard let cause = CompensationCause(rawValue: try string(data, "cause")) else {
                throw malformed("unknown cause")
            }
            let plan = try (data["compensations"]?.arrayValue ?? []).map { entry throws(SagaStateError) in
                PlannedCompensation(step: try string(entry, "step"), compensation: try string(entry, "compensation"))
            }
            var error: StepError?
            if let raw = data["error"], !raw.isNull { error = try stepError(data) }
            return .sagaCompensating(
                cause: cause, failedStep: data["failedStep"]?.stringValue, error: error, plan: plan)
        case .compensationStarted:
            return .compensationStarted(
                compensation: try requiredStep(), forStep: try string(data, "forStep"), attempt: try requiredAttempt())
        case .compensationCompleted:
            return .compensationCompleted(
                compensation: try requiredStep(), forStep: try string(data, "forStep"), attempt: try requiredAttempt())
        case .compensationFailed:
            return .compensationFailed(
                compensation: try requiredStep(),
                forStep: try string(data, "forStep"),
                attempt: try requiredAttempt(),
                error: try stepError(data),
                nextAttemptAt: try optionalDate(data, "nextAttemptAt")
            )
        case .sagaCompleted: return .sagaCompleted
        case .sagaCompensated: return .sagaCompensated
        case .sagaCancelled: return .sagaCancelled
        case .sagaStuck: return .sagaStuck(compensation: try requiredStep(), error: try stepError(data))
        case .sagaReverted: return .sagaReverted
        }
    }

    private func malformed(_ reason: String) -> SagaStateError {
        .malformedEvent(seq: seq, type: type, reason: reason)
    }

    private func requiredStep() throws(SagaStateError) -> String {
        guard let step, !step.isEmpty else { throw malformed("missing step") }
        return step
    }

    private func requiredAttempt() throws(SagaStateError) -> Int {
        guard let attempt, attempt >= 1 else { throw malformed("missing attempt") }
        return attempt
    }

    private func string(_ data: JSONValue, _ key: String) throws(SagaStateError) -> String {
        guard let value = data[key]?.stringValue else { throw malformed("missing \(key)") }
        return value
    }

    private func int(_ data: JSONValue, _ key: String) throws(SagaStateError) -> Int {
        guard let value = data[key]?.intValue else { throw malformed("missing \(key)") }
        return Int(value)
    }

    private func bool(_ data: JSONValue, _ key: String) throws(SagaStateError) -> Bool {
        guard let value = data[key]?.boolValue else { throw malformed("missing \(key)") }
        return value
    }

    private func date(_ data: JSONValue, _ key: String) throws(SagaStateError) -> Date {
        guard let text = data[key]?.stringValue, let date = SagaTime.parse(text) else {
            throw malformed("missing \(key)")
        }
        return date
    }

    private func optionalDate(_ data: JSONValue, _ key: String) throws(SagaStateError) -> Date? {
        guard let value = data[key], !value.isNull else { return nil }
        return try date(data, key)
    }

    private func stepError(_ data: JSONValue) throws(SagaStateError) -> StepError {
        guard let error = data["error"] else { throw malformed("missing error") }
        let retryable = error["retryable"]?.boolValue ?? data["retryable"]?.boolValue ?? false
        return StepError(
            kind: try string(error, "kind"), message: error["message"]?.stringValue ?? "", retryable: retryable)
    }

    private func delivery(_ data: JSONValue) throws(SagaStateError) -> SignalDelivery {
        SignalDelivery(
            signalId: data["signalId"]?.stringValue ?? "",
            name: try string(data, "name"),
            payload: data["payload"] ?? .null,
            inboxIndex: try int(data, "inboxIndex"),
            sentAt: try date(data, "sentAt")
        )
    }
}

/// The raw fields (`step`, `attempt`, `data`) of an event kind.
enum EventFields {
    /// The step (or compensation) and attempt `kind` is about.
    static func subject(of kind: HistoryEvent.Kind) -> (step: String?, attempt: Int?) {
        switch kind {
        case .stepStarted(let step, let attempt), .stepCompleted(let step, let attempt, _),
            .stepFailed(let step, let attempt, _, _):
            (step, attempt)
        case .compensationStarted(let compensation, _, let attempt),
            .compensationCompleted(let compensation, _, let attempt),
            .compensationFailed(let compensation, _, let attempt, _, _):
            (compensation, attempt)
        case .stepScheduled(let step, _), .stepSkipped(let step, _, _), .timerStarted(let step, _),
            .timerFired(let step), .signalWaitTimedOut(let step), .signalWaitStarted(let step, _, _),
            .sagaStuck(let step, _):
            (step, nil)
        case .signalReceived(_, let step, _):
            (step, nil)
        case .sagaStarted, .cancelRequested, .retryRequested, .revertRequested, .sagaCompensating, .sagaCompleted,
            .sagaCompensated, .sagaCancelled, .sagaReverted:
            (nil, nil)
        }
    }

    /// The details `kind` carries, as the event's `data`.
    static func data(of kind: HistoryEvent.Kind) -> JSONValue? {
        switch kind {
        case .sagaStarted(let definition, let version, let input, let trace):
            var object: [String: JSONValue] = [
                "definition": .string(definition), "version": .int(Int64(version)), "input": input,
            ]
            if !trace.isEmpty { object["trace"] = .object(trace.mapValues(JSONValue.string)) }
            return .object(object)
        case .stepScheduled(_, let kind):
            return ["kind": .string(kind.rawValue)]
        case .stepStarted, .timerFired, .signalWaitTimedOut, .sagaCompleted, .sagaCompensated, .sagaCancelled,
            .sagaReverted:
            return nil
        case .stepCompleted(_, _, let result):
            return ["result": result]
        case .stepFailed(_, _, let error, let nextAttemptAt):
            return failure(error, nextAttemptAt: nextAttemptAt)
        case .stepSkipped(_, let kind, let reason):
            return ["kind": .string(kind.rawValue), "reason": .string(reason)]
        case .timerStarted(_, let fireAt):
            return ["fireAt": .string(SagaTime.format(fireAt))]
        case .signalWaitStarted(_, let signals, let deadline):
            var object: [String: JSONValue] = ["signals": .array(signals.map(JSONValue.string))]
            if let deadline { object["deadline"] = .string(SagaTime.format(deadline)) }
            return .object(object)
        case .signalReceived(let delivery, _, let applied):
            return Self.delivery(delivery, applied: applied)
        case .cancelRequested(let delivery, let applied):
            var object = Self.delivery(delivery, applied: applied).objectValue ?? [:]
            object["reason"] = delivery.payload["reason"] ?? .null
            return .object(object)
        case .retryRequested(let delivery, let applied), .revertRequested(let delivery, let applied):
            return Self.delivery(delivery, applied: applied)
        case .sagaCompensating(let cause, let failedStep, let error, let plan):
            var object: [String: JSONValue] = [
                "cause": .string(cause.rawValue),
                "compensations": .array(
                    plan.map { ["step": .string($0.step), "compensation": .string($0.compensation)] }),
            ]
            if let failedStep { object["failedStep"] = .string(failedStep) }
            if let error { object["error"] = Self.error(error) }
            return .object(object)
        case .compensationStarted(_, let forStep, _), .compensationCompleted(_, let forStep, _):
            return ["forStep": .string(forStep)]
        case .compensationFailed(_, let forStep, _, let error, let nextAttemptAt):
            var object = Self.failure(error, nextAttemptAt: nextAttemptAt).objectValue ?? [:]
            object["forStep"] = .string(forStep)
            return .object(object)
        case .sagaStuck(_, let error):
            return ["error": Self.error(error)]
        }
    }

    private static func error(_ error: StepError) -> JSONValue {
        ["kind": .string(error.kind), "message": .string(error.message), "retryable": .bool(error.retryable)]
    }

    private static func failure(_ error: StepError, nextAttemptAt: Date?) -> JSONValue {
        var object: [String: JSONValue] = ["error": Self.error(error), "retryable": .bool(error.retryable)]
        if let nextAttemptAt { object["nextAttemptAt"] = .string(SagaTime.format(nextAttemptAt)) }
        return .object(object)
    }

    private static func delivery(_ delivery: SignalDelivery, applied: Bool) -> JSONValue {
        [
            "signalId": .string(delivery.signalId),
            "name": .string(delivery.name),
            "payload": delivery.payload,
            "inboxIndex": .int(Int64(delivery.inboxIndex)),
            "sentAt": .string(SagaTime.format(delivery.sentAt)),
            "applied": .bool(applied),
        ]
    }
}

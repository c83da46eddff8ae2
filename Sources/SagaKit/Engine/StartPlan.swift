import Foundation

/// What starting one saga writes, worked out before the engine's turn: the request that records SagaStarted with
/// the first decisions under this executor's lease, and the one that records SagaStarted alone (no lease, due at
/// once) for when every slot is taken.
struct StartPlan: Sendable {
    let definition: AnySagaDefinition
    let input: JSONValue
    let tracing: SagaTracing
    let configuration: SagaEngine.Configuration
    let saga: BoundSaga
    let now: Date
    let decision: SagaDecision
    /// The lease the start takes, when its first decision runs an attempt.
    let leaseUntil: Date?
    /// SagaStarted and the first decisions, held by this executor when ``leaseUntil`` is set.
    let request: SagaStartRequest
    /// SagaStarted alone, unheld and due at once: a first step recorded as started without anyone holding the
    /// saga would later read as an interrupted attempt.
    let queuedRequest: SagaStartRequest

    init(
        definition: AnySagaDefinition, saga: BoundSaga, sagaId: String, input: JSONValue, now: Date,
        tracing: SagaTracing, configuration: SagaEngine.Configuration
    ) throws {
        let trace = tracing.startTrace(
            definition: definition.name, sagaId: sagaId, attributes: configuration.traceAttributes(sagaId))
        let started = HistoryEvent(
            seq: 1, at: now,
            kind: .sagaStarted(definition: definition.name, version: definition.version, input: input, trace: trace))
        let decision = try SagaDecider.decide(
            state: try SagaState.fold([started]), saga: saga, pendingSignals: [], now: now,
            random: configuration.jitter.nextUnit)
        let (lease, dueAt) = SagaRunner.leaseAndDueTime(
            for: decision.effect, saga: saga, now: now, configuration: configuration)
        let leaseUntil: Date? = if case .keep(let until) = lease { until } else { nil }
        self.definition = definition
        self.input = input
        self.tracing = tracing
        self.configuration = configuration
        self.saga = saga
        self.now = now
        self.decision = decision
        self.leaseUntil = leaseUntil
        self.request = SagaStartRequest(
            sagaId: sagaId,
            definitionName: definition.name,
            definitionVersion: definition.version,
            input: input,
            events: [started] + decision.events,
            status: decision.state.status,
            currentStep: decision.state.currentStepName,
            currentAttempt: decision.state.currentAttempt,
            owner: leaseUntil == nil ? nil : configuration.instanceId,
            leaseUntil: leaseUntil,
            dueAt: dueAt,
            startedAt: now
        )
        self.queuedRequest = SagaStartRequest(
            sagaId: sagaId, definitionName: definition.name, definitionVersion: definition.version, input: input,
            events: [started], status: .running, currentStep: nil, owner: nil, leaseUntil: nil, dueAt: now,
            startedAt: now)
    }

    /// The same start worked out again at `now`.
    func redone(now: Date) throws -> StartPlan {
        try StartPlan(
            definition: definition, saga: saga, sagaId: request.sagaId, input: input, now: now, tracing: tracing,
            configuration: configuration)
    }
}

import Foundation
import Tracing

/// One trace per saga: its context is kept with `SagaStarted`, and every attempt of a step or compensation — after a
/// crash, on another instance, days later — is a span in that trace.
///
/// Spans are made only for attempts that run, so a replay or a recovery adds none for work already done. The tracer
/// is the one given, or the one bootstrapped when the engine is made, kept here: the hot path never looks it up
/// (`InstrumentationSystem` takes a lock). With none (`NoOpTracer`), nothing is kept and no span is made.
struct SagaTracing: Sendable {
    /// Where spans go; nil when nothing traces.
    private let tracer: (any Tracer)?

    /// Whether spans are made.
    var isTracing: Bool { tracer != nil }

    /// Tracing to `tracer`, or to the tracer bootstrapped now when it is nil.
    init(tracer: (any Tracer)? = nil) {
        let chosen = tracer ?? InstrumentationSystem.tracer
        self.tracer = chosen is NoOpTracer ? nil : chosen
    }

    /// Starts the saga's trace as a child of the caller's context (a request's span, say): a span for the start,
    /// ended at once; returns its context as W3C Trace Context headers (empty when nothing traces).
    func startTrace(definition: String, sagaId: String, attributes: @autoclosure () -> [String: String])
        -> [String: String]
    {
        guard let tracer else { return [:] }
        let span = tracer.startSpan(
            "saga \(definition)", context: ServiceContext.current ?? .topLevel, ofKind: .internal)
        span.attributes["saga.id"] = sagaId
        for (key, value) in attributes() { span.attributes[key] = value }
        var carrier: [String: String] = [:]
        tracer.inject(span.context, into: &carrier, using: DictionaryInjector())
        span.end()
        return carrier
    }

    /// A span for one attempt, child of the saga's trace (or a trace of its own when the saga has none).
    func startAttempt(
        _ name: String, kind: String, attempt: Int, sagaId: String, trace: [String: String],
        attributes: @autoclosure () -> [String: String]
    ) -> (any Span)? {
        guard let tracer else { return nil }
        var parent = ServiceContext.topLevel
        if !trace.isEmpty { tracer.extract(trace, into: &parent, using: DictionaryExtractor()) }
        let span = tracer.startSpan(name, context: parent, ofKind: .internal)
        span.attributes["saga.id"] = sagaId
        span.attributes["saga.step"] = name
        span.attributes["saga.step.kind"] = kind
        span.attributes["saga.attempt"] = attempt
        for (key, value) in attributes() { span.attributes[key] = value }
        return span
    }

    /// Runs `body` with `span`'s context as the current one (so calls it makes carry the trace), or as it is when
    /// nothing traces.
    static func withContext<T>(of span: (any Span)?, _ body: () async -> T) async -> T {
        guard let span else { return await body() }
        return await ServiceContext.$current.withValue(span.context) { await body() }
    }

    /// Ends an attempt's span with its outcome: the type of the event that records it (`StepCompleted`,
    /// `StepFailed`, …), or `abandoned` when the attempt was given up unrecorded.
    static func end(_ span: (any Span)?, outcome: HistoryEvent.Kind?) {
        guard let span else { return }
        let type = outcome.map { $0.type.rawValue } ?? "abandoned"
        span.attributes["saga.outcome"] = type
        switch type {
        case HistoryEvent.EventType.stepCompleted.rawValue, HistoryEvent.EventType.compensationCompleted.rawValue:
            span.setStatus(SpanStatus(code: .ok))
        default:
            span.setStatus(SpanStatus(code: .error, message: type))
        }
        span.end()
    }

    /// Ends the span of a run whose deferred writes were refused, marked `WritesRefused` and with no status: no
    /// outcome of the attempt, which runs again at once in a span of its own.
    static func endRefused(_ span: (any Span)?) {
        guard let span else { return }
        span.attributes["saga.outcome"] = "WritesRefused"
        span.end()
    }
}

/// Writes trace headers into a dictionary.
struct DictionaryInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) {
        carrier[key] = value
    }
}

/// Reads trace headers from a dictionary.
struct DictionaryExtractor: Extractor {
    func extract(key: String, from carrier: [String: String]) -> String? { carrier[key] }
}

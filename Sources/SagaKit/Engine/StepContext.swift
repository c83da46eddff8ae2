import Foundation
import Logging
import Synchronization

/// What a step's action receives: the saga's input, its identity, and the results of earlier steps.
///
/// ```swift
/// ActionStep<OrderInput>("ChargePayment") { context in
///     let reservation = try context.result(of: "ReserveInventory", as: Reservation.self)
///     return try await payments.charge(reservation.total, idempotencyKey: context.idempotencyKey)
/// }
/// ```
public struct StepContext<Input: Sendable>: Sendable {
    /// The saga being run.
    public let sagaId: String
    /// The step's name.
    public let stepName: String
    /// The attempt number, 1 for the first.
    public let attempt: Int
    /// `"<sagaId>/<stepName>"`, the same for every attempt and executor: the business side dedupes on it.
    public let idempotencyKey: String
    /// The attempt's fencing token and lease check: condition business writes on the token, check the lease
    /// right before a call that cannot be conditioned.
    public let fence: AttemptFence
    /// The saga's input.
    public let input: Input
    /// A logger carrying `sagaId`, `step` and `attempt` metadata.
    public let logger: Logger
    let results: RecordedResults
    /// Where deferred writes wait; nil when this run may not defer any.
    let deferral: WriteDeferral?

    /// Whether this run of the attempt may hand its last business writes to the engine (``deferWrites(_:)``): the
    /// history store takes them, and the run is not the one that follows a refusal of writes deferred before.
    public var mayDeferWrites: Bool { deferral != nil }

    /// Hands `writes` (of the type the history store takes) to the engine instead of making them: they are made in
    /// one command with the append that records this attempt's completion, just before it, so that the completion is
    /// recorded only if they all applied. Call it once, as the step's last act right before returning its result,
    /// and only when ``mayDeferWrites`` (otherwise it throws a non-retryable `WritesNotDeferrable`); writes deferred by
    /// a run that then throws are dropped.
    ///
    /// When one of them is refused (a compare-and-set whose condition no longer holds, say), nothing of the outcome
    /// is recorded and the same attempt runs again at once with ``mayDeferWrites`` false, to make its writes itself
    /// and find out why. The writes before the refused one may have been made, and all of them may be sent again
    /// when a try's answer was lost: each must be safe to repeat, by the attempt's key and fence, as all of a step's
    /// effects are, and should be refused rather than do anything else when its condition does not hold.
    public func deferWrites(_ writes: any OutcomeWrites) throws {
        guard let deferral, deferral.hold(writes) else {
            throw StepError.nonRetryable(
                kind: "WritesNotDeferrable",
                message: "deferWrites(_:) is called once per run, and only when mayDeferWrites is true")
        }
    }

    /// The recorded result of the earlier step `step`, decoded as `type`.
    ///
    /// Throws a non-retryable ``StepError`` of kind `"ResultUnavailable"` when that step has no recorded result
    /// (it was skipped, has not run, or does not exist), and kind `"ResultUndecodable"` when the result does not decode.
    public func result<Value: Decodable>(of step: String, as type: Value.Type = Value.self) throws -> Value {
        try StepResults.decode(results, step: step, as: type)
    }

    /// The raw recorded result of the earlier step `step`, or `nil` when it has none.
    public func rawResult(of step: String) -> JSONValue? { results[step] }
}

/// What a compensation receives: the saga's input, the step it undoes, and why the saga unwinds.
///
/// When the step's outcome is uncertain (its last attempt failed in a retryable way) ``stepResult`` is `nil`:
/// the compensation must find out, by ``stepIdempotencyKey``, whether the effect happened.
public struct CompensationContext<Input: Sendable>: Sendable {
    /// The saga being unwound.
    public let sagaId: String
    /// The compensation's name.
    public let compensationName: String
    /// The name of the step this compensation undoes.
    public let stepName: String
    /// The attempt number of this compensation, 1 for the first.
    public let attempt: Int
    /// `"<sagaId>/<compensationName>"`, the same for every attempt and executor.
    public let idempotencyKey: String
    /// `"<sagaId>/<stepName>"`: the key the undone step used for its effect.
    public let stepIdempotencyKey: String
    /// The attempt's fencing token and lease check (see ``StepContext/fence``).
    public let fence: AttemptFence
    /// The undone step's recorded result, or `nil` when its outcome is uncertain.
    public let stepResult: JSONValue?
    /// Why the saga unwinds.
    public let cause: CompensationCause
    /// The saga's input.
    public let input: Input
    /// A logger carrying `sagaId`, `compensation` and `attempt` metadata.
    public let logger: Logger
    let results: RecordedResults

    /// The recorded result of step `step`, decoded as `type` (see ``StepContext/result(of:as:)``).
    public func result<Value: Decodable>(of step: String, as type: Value.Type = Value.self) throws -> Value {
        try StepResults.decode(results, step: step, as: type)
    }

    /// The undone step's result decoded as `type`, or `nil` when its outcome is uncertain.
    public func stepResult<Value: Decodable>(as type: Value.Type = Value.self) throws -> Value? {
        guard stepResult != nil else { return nil }
        return try StepResults.decode(results, step: stepName, as: type)
    }
}

/// Where the writes a step defers (``StepContext/deferWrites(_:)``) wait for the append that records its outcome.
final class WriteDeferral: Sendable {
    private let writes = Mutex<(any OutcomeWrites)?>(nil)

    /// Keeps `writes`, unless writes are kept already (a run defers its writes once); whether it kept them.
    func hold(_ writes: any OutcomeWrites) -> Bool {
        self.writes.withLock { kept in
            guard kept == nil else { return false }
            kept = writes
            return true
        }
    }

    /// The writes kept, which are kept no more.
    func take() -> (any OutcomeWrites)? { writes.withLock { $0.take() } }

    /// Whether writes are kept.
    var holdsWrites: Bool { writes.withLock { $0 != nil } }
}

/// Decoding of recorded step results for contexts.
enum StepResults {
    static func decode<Value: Decodable>(_ results: RecordedResults, step: String, as type: Value.Type) throws
        -> Value
    {
        guard let value = results[step] else {
            throw StepError.nonRetryable(kind: "ResultUnavailable", message: "step \(step) has no recorded result")
        }
        do {
            return try value.decode(as: type)
        } catch {
            throw StepError.nonRetryable(
                kind: "ResultUndecodable",
                message: "the result of \(step) does not decode as \(type): \(error)"
            )
        }
    }

    static func idempotencyKey(sagaId: String, name: String) -> String { "\(sagaId)/\(name)" }
}

/// The recorded results of a saga's completed forward steps, looked up by step name when an attempt asks.
///
/// It holds the folded steps as they are, so starting an attempt builds no dictionary of results.
struct RecordedResults: Sendable {
    let steps: [StepInfo]

    /// The result of `step` when it completed (`.null` when it recorded none), `nil` otherwise.
    subscript(step: String) -> JSONValue? {
        guard let info = steps.first(where: { $0.name == step }), info.status == .completed else { return nil }
        return info.result ?? .null
    }
}

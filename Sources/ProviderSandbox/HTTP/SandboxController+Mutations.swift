import Foundation
import Hummingbird

/// The handling every mutating call shares.
extension SandboxController {
    /// The largest request body the sandbox reads.
    static let maximumBodySize = 1 << 20

    /// The name of the required idempotency header, lowercased as HTTP/1 field names compare.
    static let idempotencyHeader = "idempotency-key"

    /// Runs one mutating call: counts it, adds latency, maybe injects a 503 (before anything else), checks
    /// the `Idempotency-Key` header, decodes and validates the body, asks the store, and answers — late
    /// when the store says so (`tok_slow`).
    func mutate<Body: ValidatableRequest>(
        _ request: Request,
        route: String,
        as bodyType: Body.Type,
        perform: @Sendable (Body, IdempotencyKey) async throws -> MutationOutcome
    ) async throws -> Response {
        await statistics.recordCall(route)
        if let traceparent = request.headers.first(where: { $0.name.canonicalName == "traceparent" })?.value {
            logger.info("call", metadata: ["route": "\(route)", "traceparent": "\(traceparent)"])
        }
        let latency = await faults.nextLatency()
        if latency > .zero {
            try await Task.sleep(for: latency)
        }
        if await faults.shouldInjectFailure() {
            await statistics.recordInjectedFailure(route)
            return .json(.error(status: 503, code: "unavailable", message: "Injected failure; nothing was done."))
        }
        guard let key = Self.idempotencyKey(of: request) else {
            return .json(
                .error(
                    status: 400, code: "bad_request",
                    message: "header Idempotency-Key is required: 1 to 255 visible ASCII characters"))
        }
        let body: Body
        switch await Self.decode(Body.self, from: request) {
        case .success(let decoded): body = decoded
        case .failure(let rejection): return .json(rejection)
        }

        let outcome: MutationOutcome
        do {
            outcome = try await perform(body, key)
        } catch {
            logger.error("recording a call failed", metadata: ["route": "\(route)", "error": "\(error)"])
            return .json(.error(status: 500, code: "internal_error", message: "The call could not be recorded."))
        }
        if outcome.wasReplayed { await statistics.recordReplay(route) }
        if outcome.isSimulatedFailure { await statistics.recordSimulatedFailure(route) }
        if let answerDelay = outcome.answerDelay {
            try await Task.sleep(for: answerDelay)
        }
        return .json(outcome.response, replayed: outcome.wasReplayed)
    }

    /// The request's idempotency key, or nil when it is missing, repeated or malformed.
    static func idempotencyKey(of request: Request) -> IdempotencyKey? {
        let values = request.headers.filter { $0.name.canonicalName == idempotencyHeader }.map(\.value)
        guard values.count == 1 else { return nil }
        return IdempotencyKey(values[0])
    }

    /// Reads, decodes and validates the body, or the 400 (413 when too large) answer explaining why not.
    static func decode<Body: ValidatableRequest>(
        _ type: Body.Type, from request: Request
    ) async -> Result<Body, StoredRejection> {
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: maximumBodySize)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            return .failure(
                StoredRejection(
                    .error(
                        status: 413, code: "payload_too_large",
                        message: "The body is larger than \(maximumBodySize) bytes.")))
        } catch {
            return .failure(badRequest("the body could not be read"))
        }
        do {
            let body = try SandboxJSON.makeDecoder().decode(Body.self, from: Data(buffer.readableBytesView))
            try body.validate()
            return .success(body)
        } catch let error as DecodingError {
            return .failure(badRequest(error.clientMessage))
        } catch let error as RequestValidationError {
            return .failure(badRequest(error.message))
        } catch {
            return .failure(badRequest("the body could not be decoded"))
        }
    }

    private static func badRequest(_ message: String) -> StoredRejection {
        StoredRejection(.error(status: 400, code: "bad_request", message: message))
    }
}

/// A rejection answer, wrapped so it can be the failure of a `Result`.
struct StoredRejection: Error, Sendable {
    /// The answer to send.
    let response: StoredResponse

    /// Wraps `response`.
    init(_ response: StoredResponse) {
        self.response = response
    }
}

extension Response {
    /// The answer of `rejection`.
    static func json(_ rejection: StoredRejection) -> Response {
        json(rejection.response)
    }
}

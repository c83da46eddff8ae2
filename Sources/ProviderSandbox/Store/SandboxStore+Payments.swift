/// The card gateway: charges and refunds.
extension SandboxStore {
    /// Charges a card under `key`, acting out the token's behaviour; a known key repeats its first answer.
    func charge(_ request: ChargeRequest, key: IdempotencyKey) throws -> MutationOutcome {
        let scope = IdempotencyScope(.payments, key.value)
        if let replayed = replay(scope) { return replayed }
        if state.isVoided(scope) { return Self.voidedOutcome(scope) }

        let token = PaymentToken(request.token)
        var events: [JournalEvent] = []
        var answerDelay: Duration?
        switch token {
        case .flaky:
            let earlierAttempts = state.attempts(orderId: request.orderId, token: request.token)
            events.append(.tokenAttemptCounted(orderId: request.orderId, token: request.token))
            if earlierAttempts < PaymentToken.flakyFailuresPerOrder {
                try commit(events)
                return MutationOutcome(
                    response: .error(
                        status: 503, code: "unavailable", message: "The gateway is temporarily unavailable."),
                    isSimulatedFailure: true)
            }
        case .slow:
            let earlierAttempts = state.attempts(orderId: request.orderId, token: request.token)
            events.append(.tokenAttemptCounted(orderId: request.orderId, token: request.token))
            if earlierAttempts == 0 { answerDelay = slowAnswerDelay }
        case .visa, .declined, .invalid:
            break
        }

        let entry = ChargeEntry(
            id: EntryIdentifier.make(EntryIdentifier.charge), orderId: request.orderId, kind: .charge,
            amount: request.amount, currency: request.currency, status: token.chargeSucceeds ? .succeeded : .failed,
            idempotencyKey: key.value, at: timestamp(), chargeId: nil)
        events.append(.chargeRecorded(entry: entry))
        let response: StoredResponse
        switch token {
        case .declined:
            response = .error(status: 402, code: "card_declined", message: "The card was declined.")
        case .invalid:
            response = .error(status: 402, code: "invalid_token", message: "The card token is not valid.")
        case .visa, .flaky, .slow:
            response = try StoredResponse.json(status: 201, entry)
        }
        var outcome = try commitAndStore(events, response: response, under: scope)
        outcome.answerDelay = answerDelay
        return outcome
    }

    /// Refunds, in full, the succeeded charge made under the request's charge key.
    ///
    /// With no charge under that key the key is voided, so a charge still in flight can never land after
    /// its refund. A charge is refunded at most once, whatever refund keys are used.
    func refund(_ request: RefundRequest, key: IdempotencyKey) throws -> MutationOutcome {
        let scope = IdempotencyScope(.payments, key.value)
        if let replayed = replay(scope) { return replayed }

        let chargeScope = IdempotencyScope(.payments, request.chargeIdempotencyKey)
        guard let charge = state.charge(madeUnderKey: request.chargeIdempotencyKey) else {
            let voiding: [JournalEvent] = state.isVoided(chargeScope) ? [] : [.keyVoided(scope: chargeScope)]
            return try commitAndStore(
                voiding, response: try StoredResponse.json(status: 200, StatusBody(status: "nothing_to_refund")),
                under: scope)
        }
        guard charge.orderId == request.orderId else {
            return MutationOutcome(
                response: .error(
                    status: 409, code: "order_mismatch",
                    message: "The charge under that key belongs to another order."))
        }
        guard charge.status == .succeeded else {
            return try commitAndStore(
                [], response: try StoredResponse.json(status: 200, StatusBody(status: "nothing_to_refund")),
                under: scope)
        }
        if let existingRefund = state.refund(ofChargeId: charge.id) {
            return try commitAndStore([], response: try StoredResponse.json(status: 200, existingRefund), under: scope)
        }
        let refund = ChargeEntry(
            id: EntryIdentifier.make(EntryIdentifier.refund), orderId: charge.orderId, kind: .refund,
            amount: charge.amount, currency: charge.currency, status: .succeeded,
            idempotencyKey: key.value, at: timestamp(), chargeId: charge.id)
        return try commitAndStore(
            [.chargeRecorded(entry: refund)], response: try StoredResponse.json(status: 201, refund), under: scope)
    }
}

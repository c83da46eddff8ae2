/// The mailer: messages.
extension SandboxStore {
    /// Sends a message under `key`; a known key repeats its first answer.
    func sendMessage(_ request: MessageRequest, key: IdempotencyKey) throws -> MutationOutcome {
        let scope = IdempotencyScope(.notify, key.value)
        if let replayed = replay(scope) { return replayed }

        let entry = MessageEntry(
            id: EntryIdentifier.make(EntryIdentifier.message), orderId: request.orderId,
            template: request.template, idempotencyKey: key.value, at: timestamp())
        return try commitAndStore(
            [.messageRecorded(entry: entry)], response: try StoredResponse.json(status: 201, entry), under: scope)
    }
}

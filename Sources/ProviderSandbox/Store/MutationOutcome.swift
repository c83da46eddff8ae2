/// What a mutating call produced: the answer to send and how to send it.
struct MutationOutcome: Sendable {
    /// The status and body to answer with.
    let response: StoredResponse
    /// Whether the answer is a stored first answer repeated for a known key.
    var wasReplayed = false
    /// How long to hold the answer back (the `tok_slow` delay); nil to answer at once.
    var answerDelay: Duration? = nil
    /// Whether the answer is a failure a test token simulated (a `tok_flaky` 503).
    var isSimulatedFailure = false
}

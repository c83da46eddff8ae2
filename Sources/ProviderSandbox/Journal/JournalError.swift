/// A failure to open, read or append to the journal.
struct JournalError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, with the path and the system error where there is one.
    let description: String
}

extension MongoClient {
    /// Every command this client has sent so far, by database, command name and target collection.
    ///
    /// Counted from libmongoc's command monitoring as each command starts (retries and each batch of a large bulk
    /// write count apart); take two snapshots and subtract to count what happened in between.
    ///
    /// ```swift
    /// let before = client.commandCounts
    /// try await orders.insertOne(order)
    /// let sent = client.commandCounts.subtracting(before)   // sent.total(command: "insert") == 1
    /// ```
    public var commandCounts: CommandCounts { commandMonitor.snapshot }
}

import Foundation
import Metrics

/// The intake's metrics, per collection: `intake_accepted_total`, `intake_rejected_total`, `intake_gaps_total`
/// (times the change stream could not resume and a catch-up scan filled the gap) and `intake_lag_seconds` (from a
/// document's insertion to its acceptance).
struct IntakeMetrics: Sendable {
    let accepted: Counter
    let rejected: Counter
    let gaps: Counter
    let lag: Metrics.Timer

    init(collection: String) {
        let dimensions = [("collection", collection)]
        accepted = Counter(label: "intake_accepted_total", dimensions: dimensions)
        rejected = Counter(label: "intake_rejected_total", dimensions: dimensions)
        gaps = Counter(label: "intake_gaps_total", dimensions: dimensions)
        lag = Metrics.Timer(label: "intake_lag_seconds", dimensions: dimensions)
        // Present from the start, at zero, so a scrape shows the intake is on.
        for counter in [accepted, rejected, gaps] { counter.increment(by: 0) }
    }

    /// Records an acceptance of a document inserted at `insertedAt` (when known).
    func recordAccepted(insertedAt: Date?, now: Date) {
        accepted.increment()
        if let insertedAt {
            lag.recordNanoseconds(Int64(max(0, now.timeIntervalSince(insertedAt)) * 1e9))
        }
    }
}

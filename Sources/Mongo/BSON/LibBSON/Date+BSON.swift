import Foundation

/// BSON datetimes are signed milliseconds since the Unix epoch.
extension Date {
    /// The date `milliseconds` after the Unix epoch.
    init(bsonMilliseconds milliseconds: Int64) {
        self.init(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    /// Milliseconds since the Unix epoch, rounded to the nearest millisecond; `nil` beyond the Int64 range.
    var bsonMilliseconds: Int64? {
        Int64(exactly: (timeIntervalSince1970 * 1000).rounded())
    }
}

import CMongoc
import Logging

/// Routes libmongoc's own log lines into swift-log (label `mongo.libmongoc`) instead of standard error.
enum DriverLog {
    static let logger = Logger(label: "mongo.libmongoc")

    /// Installs the handler; called once, when the library is initialised.
    static func install() {
        mongoc_log_set_handler(
            { level, domain, message, _ in
                let domain = domain.map { String(cString: $0) } ?? "mongoc"
                let text = message.map { String(cString: $0) } ?? ""
                DriverLog.logger.log(
                    level: DriverLog.level(level, message: text), "\(text)", metadata: ["domain": "\(domain)"])
            }, nil)
    }

    /// The swift-log level of a libmongoc level.
    ///
    /// An abort that the server already performed (it aborts a transaction itself on a write conflict)
    /// is expected during transaction retries, so it is logged as debug rather than as a warning.
    static func level(_ level: mongoc_log_level_t, message: String) -> Logger.Level {
        switch level {
        case MONGOC_LOG_LEVEL_ERROR, MONGOC_LOG_LEVEL_CRITICAL: return .error
        case MONGOC_LOG_LEVEL_WARNING:
            return message.contains("abortTransaction") ? .debug : .warning
        case MONGOC_LOG_LEVEL_MESSAGE, MONGOC_LOG_LEVEL_INFO: return .info
        case MONGOC_LOG_LEVEL_DEBUG: return .debug
        default: return .trace
        }
    }
}

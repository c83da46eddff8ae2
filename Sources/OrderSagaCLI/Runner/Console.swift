import Foundation

/// Standard output and standard error, written through at once (a watcher's reader sees each event as it comes).
enum Console {
    /// Writes `text` and a newline to standard output; when its reader has gone (`| head`), ends the process quietly.
    static func write(_ text: String) {
        do {
            try FileHandle.standardOutput.write(contentsOf: Data((text + "\n").utf8))
        } catch {
            Foundation.exit(0)
        }
    }

    /// Writes `text` and a newline to standard error.
    static func error(_ text: String) {
        try? FileHandle.standardError.write(contentsOf: Data((text + "\n").utf8))
    }
}

import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The append-only JSON-lines journal in the data directory (`journal.jsonl`).
///
/// Each ``append(_:)`` hands one complete line to the kernel with `write(2)` before it returns, so the
/// line survives a `kill -9` of the process as soon as the call that made it is answered. A line cut
/// short by a crash mid-write is never answered; ``readRecords()`` drops it and truncates the file so
/// the next line starts clean. Not `Sendable`: it is owned by, and only used from, ``SandboxStore``.
final class JournalFile {
    /// The journal's file name inside the data directory.
    static let fileName = "journal.jsonl"

    /// The full path of the journal file.
    let path: String
    private let descriptor: Int32

    /// Opens (creating the directory and file if needed) the journal in `directory`.
    init(directory: String) throws(JournalError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw JournalError(description: "cannot create data directory \(directory): \(error)")
        }
        let path = (directory as NSString).appendingPathComponent(Self.fileName)
        let descriptor = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw JournalError(description: "cannot open \(path): \(Self.systemError())")
        }
        self.path = path
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }

    /// Reads every complete record in order, dropping (and truncating away) a torn last line.
    func readRecords() throws(JournalError) -> [JournalRecord] {
        let contents: Data
        do {
            contents = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw JournalError(description: "cannot read \(path): \(error)")
        }
        let newline = UInt8(ascii: "\n")
        let completeLength = (contents.lastIndex(of: newline).map { $0 + 1 }) ?? contents.startIndex
        if completeLength < contents.endIndex {
            guard ftruncate(descriptor, off_t(completeLength - contents.startIndex)) == 0 else {
                throw JournalError(description: "cannot truncate the torn last line of \(path): \(Self.systemError())")
            }
        }
        let decoder = SandboxJSON.makeDecoder()
        var records: [JournalRecord] = []
        for (offset, line) in contents[..<completeLength].split(separator: newline).enumerated() {
            do {
                records.append(try decoder.decode(JournalRecord.self, from: Data(line)))
            } catch {
                throw JournalError(description: "\(path) line \(offset + 1) is not a journal record: \(error)")
            }
        }
        return records
    }

    /// Writes `record` as one line and returns once the kernel holds all of it.
    func append(_ record: JournalRecord) throws(JournalError) {
        var line: Data
        do {
            line = try SandboxJSON.makeEncoder().encode(record)
        } catch {
            throw JournalError(description: "cannot encode a journal record: \(error)")
        }
        line.append(UInt8(ascii: "\n"))
        let endBeforeAppend = lseek(descriptor, 0, SEEK_END)
        do {
            try writeAll(line)
        } catch {
            // Cut off whatever part of the line reached the file, so later lines still start clean.
            if endBeforeAppend >= 0 { _ = ftruncate(descriptor, endBeforeAppend) }
            throw error
        }
    }

    private func writeAll(_ line: Data) throws(JournalError) {
        let failure: Int32? = line.withUnsafeBytes { bytes in
            var written = 0
            while written < bytes.count {
                let result = write(descriptor, bytes.baseAddress! + written, bytes.count - written)
                if result < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                written += result
            }
            return nil
        }
        if let failure {
            throw JournalError(description: "cannot append to \(path): \(String(cString: strerror(failure)))")
        }
    }

    private static func systemError() -> String {
        String(cString: strerror(errno))
    }
}

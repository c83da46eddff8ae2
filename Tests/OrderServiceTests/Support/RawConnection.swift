import Foundation
import Glibc
import NIOPosix

/// A plain TCP connection to the service, for requests no HTTP client would send (slowly, malformed, huge).
///
/// Its socket calls block (a read waits up to the read timeout), so each runs on a thread pool of its own: on a Swift
/// concurrency thread it would hold one of the few the whole parallel test run shares, and on a loaded machine
/// starve the in-process services it talks to.
final class RawConnection: Sendable {
    private let socketDescriptor: Int32

    /// Connects to 127.0.0.1:`port`; reads time out after `readTimeout`.
    init(port: Int, readTimeout: Duration = .seconds(10)) throws {
        socketDescriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketDescriptor >= 0 else { throw HarnessError("socket() failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socketDescriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(socketDescriptor)
            throw HarnessError("connect() failed")
        }
        var timeout = timeval(
            tv_sec: Int(readTimeout.components.seconds),
            tv_usec: Int(readTimeout.components.attoseconds / 1_000_000_000_000))
        setsockopt(socketDescriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(socketDescriptor) }

    /// Sends bytes; false when the peer has closed the connection.
    @discardableResult
    func send(_ bytes: [UInt8]) async throws -> Bool {
        try await blocking { $0.sendNow(bytes) }
    }

    /// Sends text.
    @discardableResult
    func send(_ text: String) async throws -> Bool { try await send(Array(text.utf8)) }

    /// Reads until the peer closes the connection or the read times out; returns what arrived.
    func readAll(limit: Int = 1 << 20) async throws -> String {
        try await blocking { $0.readAllNow(limit: limit) }
    }

    /// Reads one HTTP response (its head, and a body of `Content-Length` bytes); what arrived if the peer closes first.
    func readResponse(limit: Int = 1 << 20) async throws -> String {
        try await blocking { $0.readResponseNow(limit: limit) }
    }

    /// Whether the peer has closed the connection (a read returns end-of-stream within the read timeout).
    func isClosedByPeer() async throws -> Bool {
        try await blocking { connection in
            var byte: UInt8 = 0
            return recv(connection.socketDescriptor, &byte, 1, 0) == 0
        }
    }

    /// Threads for the connections' blocking calls alone: NIO's shared pool has as many threads as the cores the
    /// process may use (one, under a tight CPU quota) and serves the in-process services' file reads too.
    private static let threads: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 4)
        pool.start()
        return pool
    }()

    /// Runs a blocking socket call on the connections' own threads.
    private func blocking<T: Sendable>(_ call: @escaping @Sendable (RawConnection) -> T) async throws -> T {
        try await Self.threads.runIfActive { call(self) }
    }

    /// `send(_:)`, blocking.
    private func sendNow(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes {
                Glibc.send(socketDescriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard written > 0 else { return false }
            offset += written
        }
        return true
    }

    /// ``readAll(limit:)``, blocking.
    private func readAllNow(limit: Int) -> String {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while received.count < limit {
            let count = buffer.withUnsafeMutableBytes { recv(socketDescriptor, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            received.append(contentsOf: buffer[0..<count])
        }
        return String(decoding: received, as: UTF8.self)
    }

    /// ``readResponse(limit:)``, blocking.
    private func readResponseNow(limit: Int) -> String {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while received.count < limit {
            let text = String(decoding: received, as: UTF8.self)
            if let headEnd = text.range(of: "\r\n\r\n") {
                let head = text[..<headEnd.lowerBound].lowercased()
                let length =
                    head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
                if text.utf8.distance(from: headEnd.upperBound.samePosition(in: text.utf8)!, to: text.utf8.endIndex)
                    >= length
                {
                    return text
                }
            }
            let count = buffer.withUnsafeMutableBytes { recv(socketDescriptor, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            received.append(contentsOf: buffer[0..<count])
        }
        return String(decoding: received, as: UTF8.self)
    }
}

extension ServiceHarness {
    /// The service's port.
    var port: Int { Int(baseURL.split(separator: ":").last!)! }
}

import Foundation

/// A loopback port nothing listens on while the value lives, for tests of an unreachable server.
///
/// A socket is bound to the port and never listens, so a connection is refused, and no other server (another
/// test's, given an ephemeral port) can take the port meanwhile, as it could once a probe socket was closed.
///
/// ```swift
/// let closed = try ClosedPort()
/// defer { withExtendedLifetime(closed) {} }
/// let url = "http://127.0.0.1:\(closed.port)"
/// ```
public final class ClosedPort: Sendable {
    /// The port.
    public let port: Int
    private let socket: Int32

    /// Binds a socket to a free loopback port.
    public init() throws {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw ClosedPortError(description: "socket() failed: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(socket, pointer, length) == 0 && getsockname(socket, pointer, &length) == 0
            }
        }
        guard bound else {
            close(socket)
            throw ClosedPortError(description: "bind() failed: errno \(errno)")
        }
        self.socket = socket
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(socket) }
}

/// Why a ``ClosedPort`` could not be made.
public struct ClosedPortError: Error, CustomStringConvertible {
    public let description: String
}

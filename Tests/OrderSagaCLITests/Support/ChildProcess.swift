import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A child process started with `posix_spawn`, its standard streams read from and written to files.
///
/// Foundation's `Process.run()` can crash the whole test process on Linux with Swift 6.3 while it looks for the
/// descriptors to close (swiftlang/swift-corelibs-foundation#5472), so the tests start processes this way instead.
/// The child inherits no descriptor but its three standard ones.
final class ChildProcess: Sendable {
    /// The child's process id.
    let pid: pid_t
    /// The exit status once reaped: the status code, or 128 plus the signal that ended it.
    private let reaped = Mutex<Int32?>(nil)

    /// Starts `executable` with `arguments` and `environment`, standard input read from `input` (`/dev/null` when
    /// nil), standard output appended to `output` and standard error to `error` (both to `output` when nil).
    init(
        executable: URL, arguments: [String], environment: [String: String], input: URL? = nil, output: URL,
        error: URL? = nil
    ) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }

        posix_spawn_file_actions_addopen(&actions, 0, input?.path ?? "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output.path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        if let error {
            posix_spawn_file_actions_addopen(&actions, 2, error.path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        } else {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
        #if canImport(Glibc)
            Self.closeFrom?(&actions, 3)
        #else
            posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_CLOEXEC_DEFAULT))
        #endif

        let argv = [executable.path] + arguments
        let envp = environment.map { "\($0.key)=\($0.value)" }
        var child = pid_t()
        let status = Self.withCStrings(argv) { argv in
            Self.withCStrings(envp) { envp in
                posix_spawn(&child, executable.path, &actions, &attributes, argv, envp)
            }
        }
        guard status == 0 else {
            throw TestFailure("posix_spawn \(executable.path) failed: \(String(cString: strerror(status)))")
        }
        pid = child
    }

    deinit {
        if exitStatus == nil {
            kill(pid, SIGKILL)
            _ = waitpid(pid, nil, 0)
        }
    }

    /// The exit status (see ``reaped``), nil while the child runs; reaps it once it has ended.
    var exitStatus: Int32? {
        reaped.withLock { reaped in
            if reaped == nil {
                var status: Int32 = 0
                if waitpid(pid, &status, WNOHANG) == pid {
                    let signal = status & 0x7f
                    reaped = signal == 0 ? (status >> 8) & 0xff : 128 + signal
                }
            }
            return reaped
        }
    }

    /// Whether the child is still running.
    var isRunning: Bool { exitStatus == nil }

    /// Sends `signal` to the child unless it has ended.
    func send(_ signal: Int32) {
        if isRunning { kill(pid, signal) }
    }

    /// The exit status once the child ends, nil if it still runs after `timeout`.
    func exit(within timeout: Duration) async throws -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let status = exitStatus { return status }
            try await Task.sleep(for: .milliseconds(20))
        }
        return exitStatus
    }

    #if canImport(Glibc)
        /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34 and later), which Swift's Glibc module leaves
        /// out because it is declared only under `_GNU_SOURCE`.
        private static let closeFrom:
            (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? =
                dlsym(nil, "posix_spawn_file_actions_addclosefrom_np").map {
                    unsafeBitCast(
                        $0, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self
                    )
                }
    #endif

    /// Calls `body` with `strings` as a NULL-terminated array of C strings.
    private static func withCStrings<Result>(
        _ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> Result
    ) -> Result {
        let pointers = strings.map { strdup($0) } + [nil]
        defer { pointers.forEach { free($0) } }
        return body(pointers)
    }
}

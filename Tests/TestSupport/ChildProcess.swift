import Foundation

/// A child process started by glibc's posix_spawn, holding no descriptor of this process but its standard ones, and
/// waited for by its pid.
///
/// Why not Foundation's `Process` for what the tests wait for: in two full runs (one on CI) a `windflow explain` and
/// a `windflow validate` started in the first second of the run, while a hundred suites start, were still "running"
/// 60 and 240 s later — a command that takes 0.1 s. The cause was not found (a child that inherits Foundation's
/// descriptors does not delay it when tried alone). Here nothing runs between the fork and the exec, the pid is what
/// is waited for, the children hold no one else's descriptors, and a child still running at the deadline is
/// described (program, state, kernel wait) before it is killed, so a hang says what it was.
public enum ChildProcess {
    /// Starts `path` with `arguments`; standard input, output and error from and to these files; in `directory`, with
    /// `environment` (this process's when nil). - Returns: its pid.
    public static func spawn(_ path: String, _ arguments: [String], directory: String? = nil, environment: [String: String]? = nil,
                             input: String = "/dev/null", output: String = "/dev/null", errors: String = "/dev/null") throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, input, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, errors, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        guard let closeFrom = GlibcSpawn.closeFrom, closeFrom(&actions, 3) == 0 else { throw ChildProcessError("posix_spawn_file_actions_addclosefrom_np is missing") }
        if let directory {
            guard let changeDirectory = GlibcSpawn.changeDirectory, changeDirectory(&actions, directory) == 0 else {
                throw ChildProcessError("posix_spawn_file_actions_addchdir_np is missing")
            }
        }
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let variables = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer { variables?.forEach { free($0) } }
        var pid: pid_t = 0
        let status = variables.map { posix_spawn(&pid, path, &actions, nil, argv, $0) } ?? posix_spawn(&pid, path, &actions, nil, argv, environ)
        guard status == 0 else { throw ChildProcessError("\(path) could not be started: \(String(cString: strerror(status)))") }
        return pid
    }

    /// Waits for `pid` to end, at most `timeout` seconds. Blocking: call it off the concurrency pool
    /// (``offPool(_:)``). - Returns: its exit status (128 + the signal that ended it).
    /// - Throws: past the deadline, what the child was doing (its program, state and kernel wait, from /proc), after
    ///   killing it.
    public static func wait(_ pid: pid_t, timeout: Double) throws -> Int32 {
        var status: Int32 = 0
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let waited = waitpid(pid, &status, WNOHANG)
            if waited == pid { break }
            if waited == -1 {
                if errno == EINTR { continue }
                throw ChildProcessError("waitpid(\(pid)): \(String(cString: strerror(errno)))")
            }
            guard Date() < deadline else {
                let state = describe(pid)
                kill(pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                throw ChildProcessError("still running after \(Int(timeout)) s (\(state)); killed")
            }
            usleep(5_000)
        }
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    /// What a running process is: its program, its state and where the kernel has it wait.
    static func describe(_ pid: pid_t) -> String {
        let program = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/exe")) ?? "?"
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)).flatMap { $0.split(separator: ")").last }
            .map { $0.split(separator: " ").prefix(1).joined() } ?? "?"
        let channel = (try? String(contentsOfFile: "/proc/\(pid)/wchan", encoding: .utf8)) ?? "?"
        let threads = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task").count).map(String.init) ?? "?"
        return "program \(program), state \(stat), waiting in \(channel), \(threads) thread(s)"
    }
}

public struct ChildProcessError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// glibc's posix_spawn actions that Swift's Glibc module does not import (they are behind `_GNU_SOURCE`).
private enum GlibcSpawn {
    typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    typealias ChangeDirectory = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    static let closeFrom = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np").map { unsafeBitCast($0, to: CloseFrom.self) }
    static let changeDirectory = dlsym(nil, "posix_spawn_file_actions_addchdir_np").map { unsafeBitCast($0, to: ChangeDirectory.self) }
}

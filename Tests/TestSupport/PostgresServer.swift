import Foundation

/// A throwaway PostgreSQL server on loopback (scripts/test-peers/postgres.sh), stopped and removed on deinit.
public final class PostgresServer: @unchecked Sendable {
    // Safe: set once in init, read-only afterwards.
    public let url: String
    private let directory: String
    private let script: String

    /// Starts a server. With `stopsWithThisProcess`, the server is also stopped once this process has ended, for a
    /// server kept in a static for all the tests of a process (whose deinit never runs).
    public init(stopsWithThisProcess: Bool = false) throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        script = root.appendingPathComponent("scripts/test-peers/postgres.sh").path
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("windflow-pg-\(UUID().uuidString.prefix(8))").path
        let output = try Self.run(script, ["start", directory] + (stopsWithThisProcess ? ["\(getpid())"] : []), timeout: 90)
        guard output.hasPrefix("postgresql://") else { throw CocoaError(.fileReadUnknown, userInfo: ["output": output]) }
        url = output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    deinit {
        _ = try? Self.run(script, ["stop", directory], timeout: 30)
    }

    /// Stops the server, keeping its data: the database is unreachable until ``resume()``.
    public func halt() throws { _ = try Self.run(script, ["halt", directory], timeout: 60) }

    /// Starts the halted server again, on the same port.
    public func resume() throws { _ = try Self.run(script, ["resume", directory], timeout: 90) }

    /// Runs a command to its end, returning its standard output. posix_spawn and waitpid rather than Process: the
    /// server the script starts keeps running after it, and Foundation's Process then waits far too long.
    static func run(_ path: String, _ arguments: [String], timeout: Double) throws -> String {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("windflow-out-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, path, &actions, nil, argv, environ) == 0 else { throw CocoaError(.executableLoad) }
        var status: Int32 = 0
        let deadline = Date().addingTimeInterval(timeout)
        while waitpid(pid, &status, WNOHANG) == 0 {
            guard Date() < deadline else {
                kill(pid, SIGKILL)
                break
            }
            usleep(20_000)
        }
        return (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
    }
}

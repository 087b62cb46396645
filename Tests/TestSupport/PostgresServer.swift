import Foundation

/// A throwaway PostgreSQL server on loopback (scripts/test-peers/postgres.sh), stopped and removed on deinit.
public final class PostgresServer: @unchecked Sendable {
    // Safe: set once in init, read-only afterwards.
    public let url: String
    private let directory: String
    private let script: String

    /// Starts a server. With `stopsWithThisProcess`, the server is also stopped once this process has ended, for a
    /// server kept in a static for all the tests of a process (whose deinit never runs). The seconds initdb takes
    /// are waited for off the concurrency pool.
    public static func start(stopsWithThisProcess: Bool = false) async throws -> PostgresServer {
        try await offPool { try PostgresServer(stopsWithThisProcess: stopsWithThisProcess) }
    }

    private init(stopsWithThisProcess: Bool) throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        script = root.appendingPathComponent("scripts/test-peers/postgres.sh").path
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("windflow-pg-\(UUID().uuidString.prefix(8))").path
        let output = try Self.run(script, ["start", directory] + (stopsWithThisProcess ? ["\(getpid())"] : []), timeout: 90)
        guard output.hasPrefix("postgresql://") else { throw CocoaError(.fileReadUnknown, userInfo: ["output": output]) }
        url = output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Starts the server's stop and does not wait for it: whoever lets go of the server last need not, and the stop
    /// is under way before deinit returns, even if the test process ends right after.
    deinit {
        _ = try? ChildProcess.spawn(script, ["stop", directory])
    }

    /// Stops the server, keeping its data: the database is unreachable until ``resume()``.
    public func halt() async throws {
        let script = script, directory = directory
        _ = try await offPool { try Self.run(script, ["halt", directory], timeout: 60) }
    }

    /// Starts the halted server again, on the same port.
    public func resume() async throws {
        let script = script, directory = directory
        _ = try await offPool { try Self.run(script, ["resume", directory], timeout: 90) }
    }

    /// Runs a command to its end, returning its standard output. Not Foundation's Process: the server the script
    /// starts keeps running after it (``ChildProcess``).
    static func run(_ path: String, _ arguments: [String], timeout: Double) throws -> String {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("windflow-out-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        _ = try ChildProcess.wait(try ChildProcess.spawn(path, arguments, output: output), timeout: timeout)
        return (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
    }
}

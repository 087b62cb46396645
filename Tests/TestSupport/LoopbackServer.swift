import Foundation

/// The test HTTP server (scripts/test-peers/http_server.py) on a free loopback port, for as long as the value lives.
public final class LoopbackServer: @unchecked Sendable {
    // Safe: set once in init, read-only afterwards.
    let process = Process()
    public let port: Int

    public var base: String { "http://127.0.0.1:\(port)" }

    /// Starts `scripts/test-peers/http_server.py`, or another peer script that prints its port first; the start
    /// (a Python interpreter's, seconds under load) is waited for off the concurrency pool.
    public static func start(script: String = "http_server.py", arguments: [String] = []) async throws -> LoopbackServer {
        try await offPool { try LoopbackServer(script: script, arguments: arguments) }
    }

    private init(script: String, arguments: [String]) throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", root.appendingPathComponent("scripts/test-peers/\(script)").path] + arguments
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The first line is the port; bounded to 10 s.
        var line = Data()
        let deadline = Date().addingTimeInterval(10)
        while !line.contains(0x0A), Date() < deadline {
            line.append(output.fileHandleForReading.availableData)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            throw CocoaError(.fileReadUnknown)
        }
        self.port = port
    }

    deinit {
        // Not waitUntilExit: on Linux it can spin when called off the main thread; Foundation reaps the child.
        kill(process.processIdentifier, SIGKILL)
    }
}

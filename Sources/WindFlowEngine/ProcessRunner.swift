import Foundation
import Subprocess
import SystemPackage
import WindFlowCore

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a program in its own process group and collects its output with a cap. Cancelling the calling task kills
/// the whole group; anything it leaves running in the background is killed when it exits.
///
/// A child never inherits this process's environment, which holds `WINDFLOW_SECRET_*` values and provider keys:
/// it starts from ``inheritedNames`` alone, plus what the caller passes (the node's own variables and `env:`).
enum ProcessRunner {
    /// The variables of this process a child sees: where programs are, who and where it runs, language and time zone.
    static let inheritedNames: Set<String> = ["PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LANGUAGE", "TZ", "TMPDIR", "TERM"]

    /// The environment a child starts with: the allow-listed variables of `inherited` (and its `LC_*`), then `given`.
    static func childEnvironment(_ given: [String: String], inherited: [String: String] = ProcessInfo.processInfo.environment) -> [String: String] {
        var environment = inherited.filter { inheritedNames.contains($0.key) || $0.key.hasPrefix("LC_") }
        if environment["PATH"] == nil { environment["PATH"] = "/usr/local/bin:/usr/bin:/bin" }
        for (name, value) in given { environment[name] = value }
        return environment
    }

    struct Result: Sendable {
        /// The exit status, or `nil` when a signal ended the process.
        var exitCode: Int32?
        var signal: Int32?
        var stdout: CappedText
        var stderr: CappedText
    }

    /// - Throws: when the program cannot be started (not found, not executable).
    static func run(
        _ program: String, arguments: [String], environment: [String: String] = [:], workingDirectory: String? = nil,
        limit: Int, onLine: @escaping @Sendable (String, Bool) -> Void = { _, _ in }
    ) async throws -> Result {
        var options = PlatformOptions()
        options.processGroupID = 0
        var variables: [Environment.Key: String] = [:]
        for (name, value) in childEnvironment(environment) { variables[Environment.Key(stringLiteral: name)] = value }
        let group = ProcessGroupHandle()
        return try await withTaskCancellationHandler {
            let run = try await Subprocess.run(
                .name(program), arguments: Arguments(arguments), environment: .custom(variables),
                workingDirectory: workingDirectory.map { FilePath($0) }, platformOptions: options, input: .none,
                output: .sequence, error: .sequence
            ) { execution in
                group.set(execution.processIdentifier.value)
                async let out = CappedText.collect(execution.standardOutput, limit: limit) { onLine($0, false) }
                async let err = CappedText.collect(execution.standardError, limit: limit) { onLine($0, true) }
                return try await (out, err)
            }
            group.killAll()
            switch run.terminationStatus {
            case .exited(let code):
                return Result(exitCode: code, signal: nil, stdout: run.closureResult.0, stderr: run.closureResult.1)
            case .signaled(let signal):
                return Result(exitCode: nil, signal: signal, stdout: run.closureResult.0, stderr: run.closureResult.1)
            }
        } onCancel: {
            group.killAll()
        }
    }
}

/// Text read from a stream up to a limit, with the number of bytes dropped after it.
struct CappedText: Sendable {
    var text: String
    var cut: Int

    /// Lines passed to `onLine` as they arrive, at most this many per stream.
    static let maxLoggedLines = 500

    /// Reads `sequence` to its end, keeping `limit` bytes and handing each complete line (of the kept part) to `onLine`.
    static func collect(_ sequence: SubprocessOutputSequence, limit: Int, onLine: (String) -> Void) async throws -> CappedText {
        var bytes: [UInt8] = []
        var cut = 0
        var lineStart = 0
        var logged = 0
        for try await buffer in sequence {
            buffer.withUnsafeBytes { raw in
                let room = max(0, limit - bytes.count)
                bytes.append(contentsOf: raw.prefix(room))
                cut += max(0, raw.count - room)
            }
            while logged < maxLoggedLines, let newline = bytes[lineStart...].firstIndex(of: 0x0A) {
                onLine(String(decoding: bytes[lineStart..<newline], as: UTF8.self))
                lineStart = newline + 1
                logged += 1
            }
        }
        if logged < maxLoggedLines, lineStart < bytes.count {
            onLine(String(decoding: bytes[lineStart...], as: UTF8.self))
        }
        return CappedText(text: String(decoding: bytes, as: UTF8.self), cut: cut)
    }
}

/// The process group of a running program, so it can be killed from a cancellation handler.
final class ProcessGroupHandle: @unchecked Sendable {
    // Safe: every access to `pid` holds `lock`.
    private let lock = NSLock()
    private var pid: pid_t?

    func set(_ pid: pid_t) {
        lock.withLock { self.pid = pid }
    }

    /// Sends SIGKILL to the whole group; a no-op when it is gone.
    func killAll() {
        lock.withLock {
            if let pid { _ = kill(-pid, SIGKILL) }
        }
    }
}
